// Asio's implementation, compiled once for the whole project
// (BOOST_ASIO_SEPARATE_COMPILATION is set on every target by canopy_options).
#include <boost/asio/impl/src.hpp>
