// Beast and Boost.JSON, compiled once for the whole project (separate
// compilation: BOOST_BEAST_SEPARATE_COMPILATION is set by canopy_options;
// Debian ships Boost.JSON 1.81 as headers only).
#include <boost/beast/src.hpp>
#include <boost/json/src.hpp>
