// The unit tier's setup file (vitest.config.ts): the unit tier starts no kernel and no browser.
import { guardAgainstKernels } from './kernel-guard';

guardAgainstKernels();
