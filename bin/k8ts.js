#!/usr/bin/env -S node --max-semi-space-size=64
// --max-semi-space-size=64: the apiserver's main thread allocates fast and briefly (request
// bodies, decoded objects, watch events). With node's default 16 MiB semi-spaces it scavenged
// ~4x as often and spent ~40% more time in scavenges under the density load (bench/density with
// BENCH_NODE_ARGS); the components threads get the same room through their resourceLimits.
import '../dist/src/cmd/main.js';
