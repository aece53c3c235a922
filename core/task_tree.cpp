#include "core/task_tree.hpp"

namespace canopy::core {
namespace {
constexpr auto relaxed = std::memory_order_relaxed;
}

namespace detail {

TreeNode::TreeNode(TaskTree& tree, TreeNode* parent, TaskName name, TaskKind kind)
    : tree_(tree), parent_(parent), id_(tree.next_id_++), name_(name), kind_(kind),
      started_at_(coarse_now()) {
  tree_.attach(*this, parent);
}

TreeNode::~TreeNode() { tree_.detach(*this); }

}  // namespace detail

TaskTree::~TaskTree() {
  // Threads end after their io_context; anything still registered here outlived
  // its parent, and the intrusive list must be empty before it is destroyed.
  while (!roots_.empty()) {
    auto& node = roots_.pop_front();
    node.parent_ = nullptr;
  }
}

TaskTree& TaskTree::this_thread() noexcept {
  thread_local TaskTree tree;
  return tree;
}

void TaskTree::attach(detail::TreeNode& node, detail::TreeNode* parent) noexcept {
  (parent ? parent->children_ : roots_).push_back(node);
  if (node.kind_ == TaskKind::task) {
    live_tasks_.fetch_add(1, relaxed);
    started_total_.fetch_add(1, relaxed);
  } else {
    live_nurseries_.fetch_add(1, relaxed);
  }
}

void TaskTree::detach(detail::TreeNode& node) noexcept {
  // A node that still has children when it ends leaves them without a parent:
  // that is an orphan. Nurseries wait for their children, so this stays at 0.
  while (!node.children_.empty()) {
    auto& child = node.children_.pop_front();
    child.parent_ = nullptr;
    roots_.push_back(child);
    orphaned_total_.fetch_add(1, relaxed);
  }
  if (node.linked()) (node.parent_ ? node.parent_->children_ : roots_).erase(node);
  if (node.kind_ == TaskKind::task) {
    live_tasks_.fetch_sub(1, relaxed);
    finished_total_.fetch_add(1, relaxed);
  } else {
    live_nurseries_.fetch_sub(1, relaxed);
  }
}

void TaskTree::record_cancellation(CancelReason reason) noexcept {
  cancellations_total_[static_cast<std::size_t>(reason)].fetch_add(1, relaxed);
}

TaskTreeStats TaskTree::stats() const noexcept {
  TaskTreeStats s;
  s.live_tasks = live_tasks_.load(relaxed);
  s.live_nurseries = live_nurseries_.load(relaxed);
  s.started_total = started_total_.load(relaxed);
  s.finished_total = finished_total_.load(relaxed);
  s.orphaned_total = orphaned_total_.load(relaxed);
  for (std::size_t i = 0; i < cancel_reason_count; ++i) {
    s.cancellations_total[i] = cancellations_total_[i].load(relaxed);
  }
  return s;
}

std::vector<TaskInfo> TaskTree::snapshot() const {
  std::vector<TaskInfo> out;
  const auto now = Clock::now();
  roots_.for_each([&](const detail::TreeNode& root) { append(out, root, 0, now); });
  return out;
}

void TaskTree::append(std::vector<TaskInfo>& out, const detail::TreeNode& node, std::size_t depth,
                      Clock::time_point now) const {
  out.push_back(TaskInfo{
      .id = node.id_,
      .parent_id = node.parent_ ? node.parent_->id_ : 0,
      .depth = depth,
      .kind = node.kind_,
      .name = node.name_.str(),
      .age = now - node.started_at_,
      .cancelled = node.cancelled_,
  });
  node.children_.for_each([&](const detail::TreeNode& child) { append(out, child, depth + 1, now); });
}

}  // namespace canopy::core
