// `vktrain study`: operations on whole studies. `copy` moves one between storages.
#include <iostream>

#include "apps/commands.hpp"
#include "tuning/storage/study_copy.hpp"

namespace vkt::app {
namespace {

struct CopyCommand {
  std::string src, dst;
  tune::storage::StorageOptions storage;
};

void add_copy_command(CLI::App& study) {
  auto* cmd = study.add_subcommand(
      "copy",
      "Copy a study between storages (journal file or postgresql://...?study=NAME, either way), record bodies "
      "byte-identical and in order. The copy is a snapshot: trials other processes are running appear as "
      "running. Trial checkpoints are not copied (a finished study does not need them).");
  auto c = std::make_shared<CopyCommand>();
  cmd->add_option("src", c->src, "The study to copy: a journal file or a postgresql:// URI")->required();
  cmd->add_option("dst", c->dst, "Where to put the copy; must not exist (never overwritten)")->required();
  cmd->add_option("--storage-timeout", c->storage.timeout_s,
                  "Seconds to keep reconnecting, with backoff, when a PostgreSQL source's connection breaks")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1e7));
  cmd->footer("Exit codes: 0 copied; 1 a run-time failure (e.g. a server that cannot be reached); 2 bad input "
              "(SRC missing, DST existing, a malformed URI).");
  cmd->callback([c] {
    const auto r = tune::storage::copy_study(c->src, c->dst, c->storage);
    std::cout << "copied " << r.records << " records of study " << r.from << " to " << r.to << "\n";
  });
}

}  // namespace

void add_study_command(CLI::App& app) {
  auto* study = app.add_subcommand("study", "Operations on whole studies (copy)");
  study->require_subcommand(1);
  add_copy_command(*study);
}

}  // namespace vkt::app
