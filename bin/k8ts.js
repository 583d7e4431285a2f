#!/usr/bin/env node
import '../dist/src/cmd/main.js';
