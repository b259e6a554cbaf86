#pragma once
// Developer switches read from the environment (README: VKTRAIN_NO_WINOGRAD=1 and the like).
#include <cstdlib>

namespace vkt {

// Whether the variable is set to something other than empty or "0..." (so =0 means off).
inline bool env_switch(const char* name) {
  const char* e = std::getenv(name);
  return e && *e && *e != '0';
}

}  // namespace vkt
