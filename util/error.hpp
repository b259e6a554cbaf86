#pragma once
// One error scheme for the whole project: exceptions carrying a message and a hint, caught
// once in apps/vktrain.cpp, which prints one line and exits non-zero.
//   Error       something failed at run time (a driver call, a device too small)  -> exit 1
//   InputError  the user's input is wrong (a file, a shape, an option)            -> exit 2
#include <stdexcept>
#include <string>

namespace vkt {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, std::string hint = {})
      : std::runtime_error(message), hint_(std::move(hint)) {}
  const std::string& hint() const { return hint_; }

 private:
  std::string hint_;
};

class InputError : public Error {
 public:
  using Error::Error;
};

}  // namespace vkt
