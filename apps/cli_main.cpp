#include "apps/cli_main.hpp"

#include <exception>
#include <filesystem>
#include <new>
#include <iostream>

#include "util/error.hpp"

namespace vkt::app {

int run_cli(CLI::App& app, int argc, char** argv, const int& exit_code) {
  const std::string name = app.get_name();
  // CLI11 words an unknown first word as "A subcommand is required": say what it was.
  const std::vector<CLI::App*> commands = app.get_subcommands([](CLI::App*) { return true; });
  if (argc > 1 && argv[1][0] != '-' && !commands.empty()) {
    std::string known;
    bool found = false;
    for (const CLI::App* sub : commands) {
      found = found || sub->check_name(argv[1]);
      known += (known.empty() ? "" : ", ") + sub->get_name();
    }
    if (!found) {
      std::cerr << name << ": unknown command '" << argv[1] << "' (commands: " << known << "; see --help)\n";
      return 2;
    }
  }
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
  } catch (const std::filesystem::filesystem_error& e) {
    std::cerr << name << ": error: " << e.path1().string() << ": " << e.code().message() << "\n";
    return 1;
  } catch (const std::bad_alloc&) {
    std::cerr << name << ": error: out of host memory\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << name << ": error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}

}  // namespace vkt::app
