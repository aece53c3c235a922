#include "gateway/admin/debug_tasks.hpp"

#include <boost/json/array.hpp>

namespace canopy::gateway {

namespace json = boost::json;

json::object task_tree_json(const std::vector<core::TaskInfo>& snapshot) {
  json::array roots;
  // The snapshot lists parents before children, depth first: the open path is a stack.
  std::vector<json::array*> path;
  for (const auto& task : snapshot) {
    json::object node{
        {"id", task.id},
        {"name", task.name},
        {"kind", task.kind == core::TaskKind::nursery ? "nursery" : "task"},
        {"age_ms", std::chrono::duration<double, std::milli>(task.age).count()},
    };
    if (task.cancelled) node["cancelled"] = core::to_string(*task.cancelled);
    node["children"] = json::array();
    path.resize(task.depth);
    json::array& siblings = task.depth == 0 ? roots : *path.back();
    siblings.push_back(std::move(node));
    path.push_back(&siblings.back().as_object()["children"].as_array());
  }
  return json::object{{"live", snapshot.size()}, {"tasks", std::move(roots)}};
}

}  // namespace canopy::gateway
