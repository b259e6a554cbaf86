// vktrain: train and tune neural networks on any Vulkan device.
// This file only parses the command line and turns exceptions into one line + an exit code:
//   0 ok, 1 run-time failure (driver, device, diverged I/O), 2 usage or input error.
#include <exception>
#include <iostream>

#include "apps/commands.hpp"
#include "util/error.hpp"

int main(int argc, char** argv) {
  CLI::App app{"vktrain: train and tune neural networks on any Vulkan device", "vktrain"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "vktrain 0.1.0");
  vkt::app::add_devices_command(app);
  vkt::app::add_bench_command(app);
  int exit_code = 0;
  vkt::app::add_train_command(app, exit_code);
  vkt::app::add_eval_command(app);
  vkt::app::add_tune_command(app, exit_code);
  vkt::app::add_report_command(app);
  vkt::app::add_tune_kernels_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "vktrain: " << e.what() << " (see --help)\n";
    return 2;
  } catch (const vkt::InputError& e) {
    std::cerr << "vktrain: error: " << e.what() << (e.hint().empty() ? "" : " (hint: " + e.hint() + ")") << "\n";
    return 2;
  } catch (const vkt::Error& e) {
    std::cerr << "vktrain: error: " << e.what() << (e.hint().empty() ? "" : " (hint: " + e.hint() + ")") << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "vktrain: error: " << e.what() << "\n";
    return 1;
  }
  return exit_code;
}
