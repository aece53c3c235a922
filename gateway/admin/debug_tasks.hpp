#pragma once
// /debug/tasks: the live task tree of the worker as nested JSON. Every in-flight
// request is a nursery named after its route, with its age, whether its scope
// is winding down (and why), and its child tasks: the handler, the disconnect
// watch, the fan-out's backend calls, the attempts of a race.

#include <boost/json/object.hpp>
#include <vector>

#include "core/task_tree.hpp"

namespace canopy::gateway {

// {"live": N, "tasks": [{"id", "name", "kind", "age_ms", "cancelled"?, "children": [...]}, ...]}
boost::json::object task_tree_json(const std::vector<core::TaskInfo>& snapshot);

}  // namespace canopy::gateway
