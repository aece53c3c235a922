# Settings every Canopy translation unit shares. Asio and Beast are compiled once
# (separate compilation), which only works if every TU sees the same macros, so
# they live here and every target links canopy_options.
add_library(canopy_options INTERFACE)
target_compile_features(canopy_options INTERFACE cxx_std_20)
target_compile_definitions(canopy_options INTERFACE
  BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED
  # Coroutine frames from operator new, which each thread's SmallBlockCache
  # serves: Asio's own recycling keeps two blocks per thread, hands a large
  # one to a small frame, and sends the rest of a burst to malloc.
  BOOST_ASIO_DISABLE_AWAITABLE_FRAME_RECYCLING
  # Asio's other blocks from operator new too: an operation's handler and each
  # operation's cancellation handler, when Asio's two recycled blocks per
  # purpose do not fit, went to aligned_alloc / posix_memalign, which the block
  # cache never sees: at 256 connections the cancellation handlers kept missing
  # glibc's per-size cache (libc 0.3-0.9 us per request in perf). Asio then ignores
  # the alignment it asks for; no handler needs more than operator new's 16.
  BOOST_ASIO_DISABLE_STD_ALIGNED_ALLOC
  BOOST_ASIO_DISABLE_BOOST_ALIGN)
target_compile_options(canopy_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
  # GCC 12 warns on designated initializers that leave fields at their defaults,
  # which is how option structs (ScopeOptions, LimiterOptions) are meant to be used.
  -Wno-missing-field-initializers
  $<$<BOOL:${CANOPY_WERROR}>:-Werror>)
target_include_directories(canopy_options INTERFACE ${PROJECT_SOURCE_DIR})
target_link_libraries(canopy_options INTERFACE Boost::headers Threads::Threads)

option(CANOPY_WERROR "Treat warnings as errors" OFF)

# The executables' operator new from each thread's SmallBlockCache
# (core/operator_new.hpp). Sanitizer builds leave it out: their allocator
# must see every block to catch a use after free.
option(CANOPY_BLOCK_CACHE "Serve operator new from a per-thread block cache" ON)

if(NOT CMAKE_CXX_COMPILER_LAUNCHER)
  find_program(CCACHE_PROGRAM ccache)
  if(CCACHE_PROGRAM)
    set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
  endif()
endif()

# Clang 14's UBSan cannot instrument coroutine frames for -fsanitize=function.
set(CANOPY_SANITIZE "" CACHE STRING "Sanitizers to build with: address,undefined or thread")
if(CANOPY_SANITIZE)
  set(_canopy_san -fsanitize=${CANOPY_SANITIZE} -fno-omit-frame-pointer)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND CANOPY_SANITIZE MATCHES "undefined")
    list(APPEND _canopy_san -fno-sanitize=function)
  endif()
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CANOPY_SANITIZE MATCHES "thread")
    list(APPEND _canopy_san -Wno-tsan)
  endif()
  set(CANOPY_BLOCK_CACHE OFF)
  target_compile_options(canopy_options INTERFACE ${_canopy_san})
  target_link_options(canopy_options INTERFACE -fsanitize=${CANOPY_SANITIZE})
  if(CANOPY_SANITIZE MATCHES "undefined")
    target_compile_options(canopy_options INTERFACE -fno-sanitize-recover=undefined)
  endif()
endif()

# Profile-guided optimisation (GCC): `generate` builds binaries that count what
# they run and write it next to each object when they exit; `use` rebuilds the
# same tree optimised with those counts (hot paths laid out and inlined for
# the calls they make). Code the training never ran keeps -O2's treatment
# (-fprofile-partial-training), so a path the training missed is not slower
# than in a plain build. `./dev build pgo` runs the whole cycle.
set(CANOPY_PGO "" CACHE STRING "Profile-guided optimisation phase: generate, use, or empty")
if(CANOPY_PGO)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    message(FATAL_ERROR "CANOPY_PGO needs GCC (it uses GCC's profile files); this is ${CMAKE_CXX_COMPILER_ID}")
  endif()
  if(CANOPY_PGO STREQUAL "generate")
    # Several workers count at once: atomic updates keep the counts whole.
    target_compile_options(canopy_options INTERFACE -fprofile-generate -fprofile-update=prefer-atomic)
    target_link_options(canopy_options INTERFACE -fprofile-generate)
  elseif(CANOPY_PGO STREQUAL "use")
    # Translation units the training binary does not contain have no profile: not an error.
    target_compile_options(canopy_options INTERFACE -fprofile-use -fprofile-partial-training -Wno-missing-profile)
  else()
    message(FATAL_ERROR "CANOPY_PGO is '${CANOPY_PGO}': say generate, use, or leave it empty")
  endif()
endif()
