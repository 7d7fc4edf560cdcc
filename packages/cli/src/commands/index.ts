/** Every `layerkit` sub-command, in the order `layerkit --help` lists them. */
import type { Command } from '../command.js';
import { appendCommand } from './append.js';
import { commitCommand } from './commit.js';
import { configCommand } from './config.js';
import { convertCommand, copyCommand, tagCommand } from './convert.js';
import { indexCommand } from './create-index.js';
import { diffCommand } from './diff.js';
import { gcCommand } from './gc.js';
import { historyCommand } from './history.js';
import { imagesCommand } from './images.js';
import { importCommand } from './import.js';
import { inspectCommand } from './inspect.js';
import { layerCommand } from './layer.js';
import { mountCommand, umountCommand } from './mount.js';
import { rmiCommand } from './rmi.js';
import { unpackCommand } from './unpack.js';
import { verifyCommand } from './verify.js';

export const commands: readonly Command[] = [
  unpackCommand,
  mountCommand,
  umountCommand,
  diffCommand,
  commitCommand,
  historyCommand,
  imagesCommand,
  rmiCommand,
  importCommand,
  appendCommand,
  configCommand,
  layerCommand,
  copyCommand,
  convertCommand,
  tagCommand,
  indexCommand,
  inspectCommand,
  verifyCommand,
  gcCommand,
];
