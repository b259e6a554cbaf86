#include "nn/train/trainer.hpp"

#include <chrono>
#include <cmath>
#include <set>
#include <algorithm>
#include <cstring>
#include <numeric>

#include "nn/checkpoint/safetensors.hpp"
#include "nn/data/permutation.hpp"
#include "nn/optim/step_values.hpp"
#include "runtime/context.hpp"
#include "util/error.hpp"
#include "util/json_input.hpp"

namespace vkt::nn {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// Each epoch's order comes from (seed, epoch) alone, so a resumed run shuffles exactly as an
// uninterrupted one without saving any RNG state.
uint64_t epoch_shuffle_seed(uint64_t seed, uint32_t epoch) {
  return (seed + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t(epoch) + 1) * 0xD1B54A32D192ED03ull;
}

// The augmentation draws' seed: its own stream of the run's seed, apart from dropout's.
uint32_t augment_seed(uint64_t seed) { return uint32_t(((seed + 1) * 0xA24BAED4963EE407ull) >> 32); }

Buffer filled(Context& ctx, uint64_t floats, const std::string& name, MemoryKind kind, float value) {
  Buffer b(ctx, std::max<uint64_t>(floats, 1) * 4, name, kind);
  b.upload(std::vector<float>(std::max<uint64_t>(floats, 1), value));
  return b;
}

Buffer zeroed(Context& ctx, uint64_t floats, const std::string& name) {
  return filled(ctx, floats, name, MemoryKind::Workspace, 0.0f);
}

}  // namespace

// Evaluation of one data set (or staging slot) at one batch size: its stream, on the graph
// (no gradients) of that batch size, which the validation and test sets share: evaluation
// runs one stream at a time, to completion, so one set of activations and workspaces serves both.
struct Trainer::EvalPlan {
  Buffer labels, step_block;
  std::unique_ptr<Stream> stream;
};

Trainer::Trainer(Context& ctx, const TrainConfig& config, const DataSplits& data)
    : Trainer(ctx, config, std::make_shared<const DeviceData>(ctx, data)) {}

Trainer::Trainer(Context& ctx, const TrainConfig& config, std::shared_ptr<const DeviceData> data)
    : ctx_(ctx), config_(config), data_(std::move(data)) {
  config_.optimizer.validate();
  config_.schedule.validate();
  train_count_ = data_->train_count;
  if (streamed()) {
    if (data_->val_count) val_.host = &data_->host->val;
    if (data_->test_count) test_.host = &data_->host->test;
  } else {
    val_.resident = data_->val.get();
    test_.resident = data_->test.get();
  }
  plateau_ = PlateauState::start(config_.optimizer.lr);
  if (config_.schedule.kind == ScheduleKind::Plateau && !val_)
    throw InputError("the plateau schedule watches the validation loss, but there is no validation set",
                     "hold out a fraction, e.g. --val-split 0.1");
  if (config_.batch == 0) throw InputError("--batch must be at least 1");
  if (train_count_ < config_.batch)
    throw InputError("the training set has " + std::to_string(train_count_) + " images, fewer than one batch of " +
                     std::to_string(config_.batch));
  config_.augment.check_image(data_->height, data_->width);
  const SampleShape input{data_->channels, data_->height, data_->width};
  model_ = std::make_unique<Model>(
      build_model(load_model_spec(config_.model), input, data_->classes, config_.vars, config_.seed));
  model_->freeze(config_.freeze);

  buffers_ = std::make_unique<ModelBuffers>(ctx, *model_, true);
  const InitialValues init = initial_values(*model_, config_.init, config_.seed);
  buffers_->params.upload(init.trained);
  buffers_->state.upload(init.state.empty() ? std::vector<float>{0.0f} : init.state);
  if (!config_.init_from.empty()) load_weights(read_safetensors(config_.init_from).tensors, config_.init_from);
  scratch_ = std::make_unique<WorkspaceArena>(ctx);
  graph_ = std::make_unique<Graph>(ctx, *model_, *buffers_, *scratch_, config_.batch, true);
  // Every graph before anything is recorded: they share the arena, which is sized for the
  // largest and allocated at the first recording.
  for (const EvalSet* set : {&val_, &test_})
    for (uint32_t batch : eval_batch_sizes(*set)) eval_graph(batch);

  const uint64_t n = model_->optimized_floats();  // all but the frozen layers' tensors
  labels_ = Buffer(ctx, uint64_t(config_.batch) * 4, "batch labels", MemoryKind::Activations);
  const OptimizerConfig& opt = config_.optimizer;
  const int moments = moment_buffers(opt);
  const bool v_only = moment_in_v_only(opt);
  if (moments == 2 || (moments == 1 && !v_only))
    moments_m_ = filled(ctx, n, "first moments", MemoryKind::OptimizerState, initial_moment_value(opt, "m"));
  if (moments == 2 || v_only) moments_v_ = filled(ctx, n, "second moments", MemoryKind::OptimizerState, initial_moment_value(opt, "v"));
  if (config_.optimizer.clip_norm > 0) {
    clip_result_ = zeroed(ctx, 2, "clip scale");
    clip_partials_ = zeroed(ctx, reduce_partials(n), "clip partial sums");
  }
  const uint32_t k = std::max<uint32_t>(1, config_.steps_per_submit);
  if (streamed()) {
    // Two slots of one submission's images each: one for the device, one for the host.
    const Dataset& like = data_->host->train;
    for (int r = 0; r < 2; ++r) train_ring_.push_back(DeviceDataset::staging_slot(ctx, like, k * config_.batch, "training staging " + std::to_string(r)));
    std::vector<uint32_t> in_order(k * config_.batch);
    std::iota(in_order.begin(), in_order.end(), 0u);
    indices_ = Buffer(ctx, in_order.size() * 4, "staging order", MemoryKind::Staging);
    indices_.upload(in_order);
    for (const DeviceDataset& slot : train_ring_) train_slots_.push_back({&slot, nullptr, nullptr});
    // One ring for validation and test, which are never evaluated at once.
    uint32_t eval_capacity = 0;
    for (const EvalSet* set : {&val_, &test_})
      if (*set) eval_capacity = std::max(eval_capacity, eval_batches(set->count(), config_.eval_batch).first);
    if (eval_capacity)
      for (int r = 0; r < 2; ++r)
        eval_ring_.push_back(DeviceDataset::staging_slot(ctx, like, eval_capacity, "evaluation staging " + std::to_string(r)));
  } else {
    indices_ = Buffer(ctx, uint64_t(train_count_) * 4, "epoch order", MemoryKind::Dataset);
    train_slots_.push_back({data_->train.get(), nullptr, nullptr});
  }
  const uint64_t align = std::max<uint64_t>(ctx.info().min_storage_buffer_offset_alignment, sizeof(StepBlock));
  step_slot_stride_ = (sizeof(StepBlock) + align - 1) / align * align;
  step_blocks_ = Buffer(ctx, step_slot_stride_ * k, "step blocks", MemoryKind::Workspace, MemoryUse::Shared);
  metrics_ = Buffer(ctx, sizeof(LossMetrics), "training metrics", MemoryKind::Workspace, MemoryUse::Shared);
  reset_loss_metrics(metrics_);

  if (opt.l1 > 0 || opt.l2 > 0) {
    // The penalty the optimizer adds to the gradient, as a value for the epoch log.
    penalty_result_ = zeroed(ctx, 2, "weight penalty");
    penalty_partials_ = zeroed(ctx, reduce_partials(n), "weight penalty partial sums");
    penalty_stream_ = std::make_unique<Stream>(ctx);
    weight_penalty(*penalty_stream_, buffers_->params, model_->regularized_floats(), opt.l1, opt.l2,
                   {penalty_result_, penalty_partials_});
  }
  for (TrainSlot& slot : train_slots_) {
    slot.many = std::make_unique<Stream>(ctx);
    record_train_steps(*slot.many, k, *slot.data);
    slot.one = std::make_unique<Stream>(ctx);
    record_train_steps(*slot.one, 1, *slot.data);
  }
  // The evaluation graphs too, now: all the run's device memory is taken before its first
  // step, so a run that does not fit fails here, not after an epoch of training.
  for (const EvalSet* set : {&val_, &test_}) {
    if (!*set) continue;
    for (const DeviceDataset* from : set->resident ? std::vector<const DeviceDataset*>{set->resident}
                                                   : std::vector<const DeviceDataset*>{&eval_ring_[0], &eval_ring_[1]})
      for (uint32_t batch : eval_batch_sizes(*set)) eval_plan(*from, batch);
  }
}

std::pair<uint32_t, uint32_t> Trainer::eval_batches(uint32_t count, uint32_t eval_batch) {
  const uint32_t E = std::min(std::max<uint32_t>(1, eval_batch), count);
  return {E, count % E};
}

std::vector<uint32_t> Trainer::eval_batch_sizes(const EvalSet& set) const {
  if (!set) return {};
  const auto [full, rest] = eval_batches(set.count(), config_.eval_batch);
  return rest ? std::vector<uint32_t>{full, rest} : std::vector<uint32_t>{full};
}

Trainer::~Trainer() = default;

DeviceSpan Trainer::step_slot(const Buffer& blocks, uint32_t i) const {
  return DeviceSpan(blocks, i * step_slot_stride_, sizeof(StepBlock) / 4);
}

void Trainer::record_train_steps(Stream& s, uint32_t steps, const DeviceDataset& from) {
  const uint32_t B = config_.batch, K = model_->classes();
  OptimizerBuffers ob;
  const uint64_t n = model_->optimized_floats();
  ob.p = DeviceSpan(buffers_->params, 0, n);
  ob.g = DeviceSpan(buffers_->grads, 0, n);
  if (moments_m_.handle()) ob.m = moments_m_;
  if (moments_v_.handle()) ob.v = moments_v_;
  ob.n_regularized = model_->regularized_floats();
  if (clip_result_.handle()) ob.clip = {clip_result_, clip_partials_};
  for (uint32_t i = 0; i < steps; ++i) {
    const DeviceSpan block = step_slot(step_blocks_, i);
    if (config_.augment.any())
      from.record_gather_augmented(s, graph_->input(), labels_, indices_, block, B, config_.augment,
                                      augment_seed(config_.seed));
    else
      from.record_gather(s, graph_->input(), labels_, &indices_, block, B);
    graph_->record_forward(s, block);
    if (config_.loss == LossKind::MSE)
      mse_onehot(s, graph_->output_grad(), metrics_, graph_->output(), labels_, B, K);
    else
      softmax_cross_entropy(s, graph_->output_grad(), metrics_, graph_->output(), labels_, B, K);
    graph_->record_backward(s, block);
    ob.step_block = block;
    optimizer_step(s, config_.optimizer, ob);
  }
}

std::vector<Timing> Trainer::profile_step(int warmup, bool per_dispatch) {
  Stream s(ctx_);
  s.profile(true);
  const TrainSlot& slot = train_slots_[0];
  record_train_steps(s, 1, *slot.data);
  if (streamed()) {
    train_ring_[0].write(data_->host->train, {}, 0, config_.batch);  // images 0, 1, ... as below
  } else {
    std::vector<uint32_t> order(train_count_);
    std::iota(order.begin(), order.end(), 0u);
    indices_.upload(order);
  }
  StepBlock block = step_values(config_.optimizer, config_.schedule, 1);
  std::memcpy(step_blocks_.mapped(), &block, sizeof block);
  for (int i = 0; i <= warmup; ++i) s.run();
  if (per_dispatch) {
    reset_loss_metrics(metrics_);
    return s.timings();
  }
  std::vector<Timing> per_kernel;
  for (const auto& t : s.timings()) {
    auto it = std::find_if(per_kernel.begin(), per_kernel.end(), [&](const Timing& x) { return x.label == t.label; });
    if (it == per_kernel.end())
      per_kernel.push_back(t);
    else
      it->ms += t.ms;
  }
  std::sort(per_kernel.begin(), per_kernel.end(), [](const Timing& a, const Timing& b) { return a.ms > b.ms; });
  reset_loss_metrics(metrics_);
  return per_kernel;
}

uint64_t Trainer::steps_per_epoch() const { return train_count_ / config_.batch; }

EpochStats Trainer::train_epoch(const std::function<void(const Progress&)>& progress, uint64_t checkpoint_every,
                                const std::function<void()>& checkpoint) {
  const auto t0 = Clock::now();
  const uint32_t B = config_.batch, k = std::max<uint32_t>(1, config_.steps_per_submit);
  const uint64_t steps = steps_per_epoch();
  const auto order = seeded_permutation(train_count_, epoch_shuffle_seed(config_.seed, epoch_));
  if (!streamed()) indices_.upload(order);
  // A resumed epoch goes on from the sums restore() put on the device.
  const uint64_t first = steps_in_epoch_;
  if (first == 0) reset_loss_metrics(metrics_);

  // The steps of the submission that starts at `at` steps into the epoch, optimizer step
  // `step`: steps_per_submit, or single steps at the epoch's tail and up to a checkpoint,
  // which must fall between submissions. The steps are the same kernels either way, so the
  // results do not depend on the chunking.
  auto submission_steps = [&](uint64_t at, uint64_t step) -> uint32_t {
    uint32_t n = steps - at >= k ? k : 1;
    if (checkpoint_every && checkpoint_every - step % checkpoint_every < n) n = 1;
    return n;
  };
  // With the data on the host: the images of that submission, in the order its steps take
  // them, into a staging slot.
  auto stage = [&](size_t slot, uint64_t at, uint64_t step) {
    train_ring_[slot].write(data_->host->train, order, at * B, submission_steps(at, step) * B);
  };

  EpochStats out;
  out.epoch = epoch_ + 1;
  uint64_t done = first;
  size_t slot = 0;
  if (streamed() && done < steps) stage(slot, done, step_);
  while (done < steps) {
    const uint32_t chunk = submission_steps(done, step_);
    for (uint32_t i = 0; i < chunk; ++i) {
      StepBlock block = step_values(config_.optimizer, config_.schedule, step_ + i + 1, plateau_.lr);
      out.lr = block.lr;
      // Positions in the epoch's order on the device, in the staging slot's from the host.
      block.batch_start = static_cast<uint32_t>(((streamed() ? 0 : done) + i) * B);
      std::memcpy(step_blocks_.mapped() + i * step_slot_stride_, &block, sizeof block);
    }
    Stream& s = chunk == k ? *train_slots_[slot].many : *train_slots_[slot].one;
    s.submit();
    // While the device trains on this slot, the next submission's images go into the other.
    if (streamed() && done + chunk < steps) stage(slot ^ 1, done + chunk, step_ + chunk);
    s.wait();
    if (streamed()) slot ^= 1;
    done += chunk;
    step_ += chunk;
    steps_in_epoch_ = done;
    const LossMetrics m = read_loss_metrics(metrics_);
    if (m.nonfinite > 0 || !std::isfinite(m.loss_sum)) {
      out.diverged = true;
      break;
    }
    if (progress) {
      Progress p;
      p.epoch = epoch_;
      p.step = done;
      p.steps = steps;
      p.loss = m.mean_loss();
      p.accuracy = m.accuracy();
      const double secs = seconds_since(t0);
      p.img_per_s = secs > 0 ? double((done - first) * B) / secs : 0;
      p.eta_s = p.img_per_s > 0 ? double((steps - done) * B) / p.img_per_s : 0;
      progress(p);
    }
    if (checkpoint && checkpoint_every && step_ % checkpoint_every == 0 && done < steps) checkpoint();
  }
  const LossMetrics m = read_loss_metrics(metrics_);
  out.loss = m.mean_loss();
  out.train_acc = m.accuracy();
  out.seconds = seconds_since(t0);
  out.img_per_s = out.seconds > 0 ? double((done - first) * B) / out.seconds : 0;
  if (out.diverged) return out;
  ++epoch_;
  steps_in_epoch_ = 0;
  if (val_) out.val = evaluate(val_);
  if (penalty_stream_) {
    penalty_stream_->run();
    out.penalty = penalty_result_.download_as<float>(1)[0];
  }
  // The next epoch's rate, decided before the caller can checkpoint this one's end.
  if (config_.schedule.kind == ScheduleKind::Plateau) plateau_.end_epoch(config_.schedule.plateau, out.val.loss);
  return out;
}

double Trainer::epoch_loss() const { return read_loss_metrics(metrics_).mean_loss(); }

EvalStats Trainer::evaluate_val() { return val_ ? evaluate(val_) : EvalStats{}; }
EvalStats Trainer::evaluate_test() { return test_ ? evaluate(test_) : EvalStats{}; }

Trainer::EvalGraph& Trainer::eval_graph(uint32_t batch) {
  EvalGraph& g = eval_graphs_[batch];
  if (!g.graph) {
    g.graph = std::make_unique<Graph>(ctx_, *model_, *buffers_, *scratch_, batch, false);
    g.metrics = Buffer(ctx_, sizeof(LossMetrics), "evaluation metrics", MemoryKind::Workspace, MemoryUse::Shared);
  }
  return g;
}

Trainer::EvalPlan& Trainer::eval_plan(const DeviceDataset& data, uint32_t batch) {
  auto& slot = eval_plans_[{&data, batch}];
  if (slot) return *slot;
  auto plan = std::make_unique<EvalPlan>();
  EvalGraph& g = eval_graph(batch);
  plan->labels = Buffer(ctx_, uint64_t(batch) * 4, "evaluation labels", MemoryKind::Activations);
  plan->step_block = Buffer(ctx_, sizeof(StepBlock), "evaluation step block", MemoryKind::Workspace, MemoryUse::Shared);
  plan->stream = std::make_unique<Stream>(ctx_);
  const DeviceSpan block(plan->step_block, 0, sizeof(StepBlock) / 4);
  Graph& graph = *g.graph;
  data.record_gather(*plan->stream, graph.input(), plan->labels, nullptr, block, batch);
  graph.record_forward(*plan->stream, block);
  if (config_.loss == LossKind::MSE)
    mse_onehot_eval(*plan->stream, g.metrics, graph.output(), plan->labels, batch, model_->classes());
  else
    softmax_cross_entropy_eval(*plan->stream, g.metrics, graph.output(), plan->labels, batch, model_->classes());
  slot = std::move(plan);
  return *slot;
}

EvalStats Trainer::evaluate(const EvalSet& set) {
  // Named, not a structured binding: clang 14 (the sanitized build) cannot capture those.
  const std::pair<uint32_t, uint32_t> sizes = eval_batches(set.count(), config_.eval_batch);
  const uint32_t E = sizes.first, rest = sizes.second;
  const uint32_t full = set.count() / E, batches = full + (rest ? 1 : 0);
  // Batch j: on the device, the set's plan reading images j*E...; from the host, the plan of
  // staging slot j % 2, into which the host wrote those images while batch j - 1 ran.
  auto size_of = [&](uint32_t j) { return j < full ? E : rest; };
  auto plan_of = [&](uint32_t j) -> EvalPlan& {
    return eval_plan(set.resident ? *set.resident : eval_ring_[j % 2], size_of(j));
  };
  auto stage = [&](uint32_t j) { eval_ring_[j % 2].write(*set.host, {}, uint64_t(j) * E, size_of(j)); };
  Buffer& sums = eval_graphs_.at(E).metrics;
  reset_loss_metrics(sums);
  if (rest) reset_loss_metrics(eval_graphs_.at(rest).metrics);
  if (set.host) stage(0);
  for (uint32_t j = 0; j < batches; ++j) {
    EvalPlan& plan = plan_of(j);
    StepBlock block;
    block.batch_start = set.host ? 0 : j * E;
    std::memcpy(plan.step_block.mapped(), &block, sizeof block);
    plan.stream->submit();
    if (set.host && j + 1 < batches) stage(j + 1);
    plan.stream->wait();
  }
  LossMetrics total = read_loss_metrics(sums);
  if (rest) {
    const LossMetrics b = read_loss_metrics(eval_graphs_.at(rest).metrics);
    total.loss_sum += b.loss_sum;
    total.correct += b.correct;
    total.count += b.count;
    total.nonfinite += b.nonfinite;
  }
  return {total.mean_loss(), total.accuracy(), total.count, total.nonfinite == 0 && std::isfinite(total.loss_sum)};
}

std::vector<NamedTensor> Trainer::weights() const {
  const auto trained = buffers_->params.download_as<float>(std::max<uint64_t>(model_->trained_floats(), 1));
  const auto state = buffers_->state.download_as<float>(std::max<uint64_t>(model_->state_floats(), 1));
  std::vector<NamedTensor> out;
  for (const auto& slot : model_->slots()) {
    const auto& src = slot.trained() ? trained : state;
    out.push_back({slot.name, slot.info.shape,
                   std::vector<float>(src.begin() + slot.offset, src.begin() + slot.offset + slot.info.size())});
  }
  return out;
}

std::vector<NamedTensor> Trainer::export_weights() const {
  std::vector<NamedTensor> out = weights();
  const std::string suffix = ".running_var";
  for (const auto& slot : model_->slots())
    if (slot.name.size() > suffix.size() && slot.name.ends_with(suffix)) {
      const std::string layer = slot.name.substr(0, slot.name.size() - suffix.size());
      out.push_back({layer + ".num_batches_tracked", {}, {}, true, {static_cast<int64_t>(step_)}});
    }
  return out;
}

void Trainer::load_weights(const std::vector<NamedTensor>& all, const std::string& source) {
  std::vector<NamedTensor> tensors;
  for (const auto& t : all)
    if (!(t.is_int && t.name.ends_with(".num_batches_tracked"))) tensors.push_back(t);
  auto trained = buffers_->params.download_as<float>(std::max<uint64_t>(model_->trained_floats(), 1));
  auto state = buffers_->state.download_as<float>(std::max<uint64_t>(model_->state_floats(), 1));
  for (const auto& slot : model_->slots()) {
    const NamedTensor* t = nullptr;
    for (const auto& cand : tensors)
      if (cand.name == slot.name) t = &cand;
    if (!t) throw InputError(source + ": no tensor '" + slot.name + "' (is it a checkpoint of this model?)");
    if (t->shape != slot.info.shape || t->is_int)
      throw InputError(source + ": tensor '" + slot.name + "' has another shape or type than the model's");
    for (size_t i = 0; i < t->data.size(); ++i)
      if (!std::isfinite(t->data[i]))
        throw InputError(source + ": tensor '" + slot.name + "' holds " + (std::isnan(t->data[i]) ? "NaN" : "an infinity") +
                         " at element " + std::to_string(i) + " (saved from a diverged run?)");
    auto& dst = slot.trained() ? trained : state;
    std::copy(t->data.begin(), t->data.end(), dst.begin() + slot.offset);
  }
  if (tensors.size() != model_->slots().size())
    throw InputError(source + ": holds " + std::to_string(tensors.size()) + " tensors, the model has " +
                     std::to_string(model_->slots().size()));
  buffers_->params.upload(trained);
  buffers_->state.upload(state);
}

TrainingState Trainer::state() const {
  TrainingState s;
  s.config_json = config_.to_json().dump();
  s.step = step_;
  s.epoch = epoch_;
  s.position_in_epoch = steps_in_epoch_ * config_.batch;
  // Between epochs the sums are the finished epoch's: a run resumed there can still report
  // that epoch's training loss.
  if (steps_in_epoch_ || epoch_ > 0) {
    const LossMetrics m = read_loss_metrics(metrics_);
    s.epoch_sums = {m.loss_sum, m.correct, m.count, m.nonfinite};
  }
  s.shuffle_seed = epoch_shuffle_seed(config_.seed, epoch_);
  s.plateau = plateau_;
  s.parameters = weights();
  const uint64_t n = model_->optimized_floats();
  if (moments_m_.handle()) s.optimizer_moments.push_back({"m", {int64_t(n)}, moments_m_.download_as<float>(n)});
  if (moments_v_.handle()) s.optimizer_moments.push_back({"v", {int64_t(n)}, moments_v_.download_as<float>(n)});
  return s;
}

void Trainer::restore(const TrainingState& s, const std::string& source) {
  const nlohmann::json saved = parse_json(s.config_json, source + ": the configuration");
  // Resuming may train longer or stop at another epoch; everything else must match.
  nlohmann::json now = config_.to_json(), saved_cmp = saved;
  now.erase("epochs");
  saved_cmp.erase("epochs");
  // States written before eps was recorded ran with their optimizer's default.
  if (!saved_cmp.contains("eps") && saved_cmp.contains("optimizer") && saved_cmp["optimizer"].is_string())
    saved_cmp["eps"] = parse_optimizer(saved_cmp["optimizer"].get<std::string>()).eps;
  if (saved_cmp != now)
    throw InputError(source + ": was made with another configuration: " + saved_cmp.dump() + " (now " + now.dump() + ")");
  load_weights(s.parameters, source);
  const uint64_t n = model_->optimized_floats();
  std::set<std::string> restored;
  for (const auto& m : s.optimizer_moments) {
    Buffer* dst = m.name == "m" ? &moments_m_ : m.name == "v" ? &moments_v_ : nullptr;
    if (!dst || !dst->handle() || m.data.size() != n)
      throw InputError(source + ": optimizer state '" + m.name + "' does not fit this optimizer and model");
    if (!restored.insert(m.name).second) throw InputError(source + ": optimizer state '" + m.name + "' appears twice");
    dst->upload(m.data);
  }
  // Every moment this optimizer keeps must come back: resuming without one is another run.
  for (const auto& [name, buffer] : {std::pair<const char*, const Buffer*>{"m", &moments_m_}, {"v", &moments_v_}})
    if (buffer->handle() && !restored.count(name))
      throw InputError(source + ": optimizer state '" + name + "' is missing (this optimizer keeps it)");
  // The position must be whole steps inside an epoch this run still trains; the step count
  // must be the epochs and steps before it.
  const uint64_t per_epoch = steps_per_epoch(), B = config_.batch;
  const uint64_t in_epoch = s.position_in_epoch / B;
  const bool position_fits = s.position_in_epoch % B == 0 && in_epoch < per_epoch &&
                             (in_epoch == 0 || s.epoch < config_.epochs);
  if (!position_fits || s.epoch > config_.epochs || s.step != uint64_t(s.epoch) * per_epoch + in_epoch)
    throw InputError(source + ": epoch " + std::to_string(s.epoch) + ", step " + std::to_string(s.step) +
                     " and position " + std::to_string(s.position_in_epoch) + " in the epoch do not fit this run (" +
                     std::to_string(per_epoch) + " steps of " + std::to_string(B) + " per epoch, " +
                     std::to_string(config_.epochs) + " epochs)");
  // The shuffle and dropout come from the seed, the epoch and the step; a state that says
  // otherwise was written by another trainer.
  const uint64_t shuffle_seed = epoch_shuffle_seed(config_.seed, s.epoch);
  if (s.shuffle_seed != shuffle_seed ||
      (!s.shuffle_permutation.empty() && s.shuffle_permutation != seeded_permutation(train_count_, shuffle_seed)))
    throw InputError(source + ": its shuffle order is not the one this run makes for epoch " +
                     std::to_string(s.epoch + 1));
  if (!s.rng_state.empty())
    throw InputError(source + ": holds an RNG state, which this trainer never writes (its randomness comes from the seed)");
  // Mid-epoch the sums cover the samples trained so far. Between epochs they cover the whole
  // finished epoch, or nothing (before the first epoch, and in files that predate them).
  const EpochSums& sums = s.epoch_sums;
  const uint64_t finished = s.epoch > 0 ? per_epoch * B : 0;
  const bool sums_fit = in_epoch ? sums.counted == s.position_in_epoch
                                 : sums == EpochSums{} || (finished && sums.counted == finished);
  if (!sums_fit)
    throw InputError(source + ": its loss sums cover " + std::to_string(sums.counted) + " samples, not the " +
                     std::to_string(in_epoch ? s.position_in_epoch : finished) +
                     (in_epoch ? " trained in this epoch" : " of the epoch it finished"));
  const LossMetrics m{sums.loss_sum, sums.correct, sums.counted, sums.nonfinite};
  metrics_.upload(&m, sizeof m);
  // Only a plateau run's state carries a rate of its own; files older than the plateau
  // schedule hold none (lr 0), and no plateau run could have written them.
  if (config_.schedule.kind == ScheduleKind::Plateau) {
    const PlateauState& p = s.plateau;
    if (!(p.lr > 0 && std::isfinite(p.lr)) || std::isnan(p.best))
      throw InputError(source + ": holds no plateau schedule state (rate " + std::to_string(p.lr) +
                       "): it was not written by a --schedule plateau run");
    plateau_ = p;
  }
  step_ = s.step;
  epoch_ = s.epoch;
  steps_in_epoch_ = in_epoch;
}

}  // namespace vkt::nn
