#include "apps/cli_main.hpp"

#include <exception>
#include <iostream>

#include "util/error.hpp"

namespace vkt::app {

int run_cli(CLI::App& app, int argc, char** argv, const int& exit_code) {
  const std::string name = app.get_name();
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << name << ": " << e.what() << " (see --help)\n";
    return 2;
  } catch (const vkt::InputError& e) {
    std::cerr << name << ": error: " << e.what() << (e.hint().empty() ? "" : " (hint: " + e.hint() + ")") << "\n";
    return 2;
  } catch (const vkt::Error& e) {
    std::cerr << name << ": error: " << e.what() << (e.hint().empty() ? "" : " (hint: " + e.hint() + ")") << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << name << ": error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}

}  // namespace vkt::app
