// SPDX-License-Identifier: MIT
// One entry point per scenario. Each prepares its accounts, runs bounded in time and count,
// and writes its numbers and any failure into the report.
#pragma once
#include "options.hpp"
#include "report.hpp"

namespace parley::bench {

void run_connections(const Options& o, Report& r);
void run_pairs(const Options& o, Report& r);
void run_fanout(const Options& o, Report& r);
void run_offline(const Options& o, Report& r);
void run_churn(const Options& o, Report& r);
void run_group(const Options& o, Report& r);
void run_group_change(const Options& o, Report& r);
void run_files(const Options& o, Report& r);

}  // namespace parley::bench
