#pragma once
// The live task tree of one thread: every nursery and every task started through
// one, with its parent, name and start time.
//
// Guarantees: a task is registered before it first runs and unregistered after
// it last runs. `orphaned_total` counts tasks whose parent ended while they were
// still alive; nurseries make that impossible, and the count exists to prove it
// (tests assert it after every test; /metrics exports it).
//
// Thread-safety: a tree belongs to one thread (Canopy runs a request's whole
// task tree on one worker). stats() may be read from any thread; snapshot()
// only on the owning thread (post to it).

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/cancel_reason.hpp"
#include "core/clock.hpp"
#include "core/detail/intrusive_list.hpp"
#include "core/task_name.hpp"

namespace canopy::core {

class TaskTree;

enum class TaskKind : std::uint8_t { nursery, task };

struct TaskInfo {
  std::uint64_t id = 0;
  std::uint64_t parent_id = 0;  // 0: a root
  std::size_t depth = 0;
  TaskKind kind = TaskKind::task;
  std::string name;
  Clock::duration age{};
  // A nursery whose scope was cancelled is winding down: its tasks are ending.
  std::optional<CancelReason> cancelled;
};

struct TaskTreeStats {
  std::uint64_t live_tasks = 0;
  std::uint64_t live_nurseries = 0;
  std::uint64_t started_total = 0;
  std::uint64_t finished_total = 0;
  std::uint64_t orphaned_total = 0;
  // Scopes that cancelled themselves (cancel(), their deadline, a failed child),
  // by reason. Scopes cancelled because an enclosing one was are not counted again.
  std::array<std::uint64_t, cancel_reason_count> cancellations_total{};
};

namespace detail {

// One node of the tree; lives inside the Nursery or task it describes.
class TreeNode : public ListHook {
 public:
  TreeNode(TaskTree& tree, TreeNode* parent, TaskName name, TaskKind kind);
  TreeNode(const TreeNode&) = delete;
  TreeNode& operator=(const TreeNode&) = delete;
  ~TreeNode();

  std::uint64_t id() const noexcept { return id_; }
  const TaskName& name() const noexcept { return name_; }
  TaskKind kind() const noexcept { return kind_; }
  TaskTree& tree() const noexcept { return tree_; }
  void mark_cancelled(CancelReason reason) noexcept { cancelled_ = reason; }

 private:
  friend class canopy::core::TaskTree;

  TaskTree& tree_;
  TreeNode* parent_;
  IntrusiveList<TreeNode> children_;
  std::uint64_t id_;
  TaskName name_;
  TaskKind kind_;
  Clock::time_point started_at_;
  std::optional<CancelReason> cancelled_;
};

}  // namespace detail

class TaskTree {
 public:
  TaskTree() = default;
  TaskTree(const TaskTree&) = delete;
  TaskTree& operator=(const TaskTree&) = delete;
  ~TaskTree();

  // The tree of the calling thread; nurseries register in it.
  static TaskTree& this_thread() noexcept;

  TaskTreeStats stats() const noexcept;

  // Every live node, parents before children, depth-first.
  std::vector<TaskInfo> snapshot() const;

  void record_cancellation(CancelReason reason) noexcept;

 private:
  friend class detail::TreeNode;

  void attach(detail::TreeNode& node, detail::TreeNode* parent) noexcept;
  void detach(detail::TreeNode& node) noexcept;
  void append(std::vector<TaskInfo>& out, const detail::TreeNode& node, std::size_t depth,
              Clock::time_point now) const;

  detail::IntrusiveList<detail::TreeNode> roots_;
  std::uint64_t next_id_ = 1;
  std::atomic<std::uint64_t> live_tasks_{0};
  std::atomic<std::uint64_t> live_nurseries_{0};
  std::atomic<std::uint64_t> started_total_{0};
  std::atomic<std::uint64_t> finished_total_{0};
  std::atomic<std::uint64_t> orphaned_total_{0};
  std::array<std::atomic<std::uint64_t>, cancel_reason_count> cancellations_total_{};
};

}  // namespace canopy::core
