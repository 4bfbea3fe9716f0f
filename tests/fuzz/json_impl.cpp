// SPDX-License-Identifier: MIT
// Boost.JSON compiled into the fuzzers from source (the only TU that does so; Boost::json is not
// linked), so its parser is instrumented for coverage and sanitizers like parley's own code.
#include <boost/json/src.hpp>
