#!/usr/bin/env node
// The `iac-dharma` command (bin/iac-dharma.mjs loads this file, compiled or through tsx).
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
