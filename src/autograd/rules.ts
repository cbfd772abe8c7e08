/**
 * Connects the autograd engine to the ops: the engine (graph.ts, engine.ts) sits below the ops,
 * which record through it, and the backward rules (derivatives.ts) call the ops; so neither imports
 * the other, and this module installs the rules, and the view replay, into the engine. tensor.ts
 * imports it, so that whatever makes tensors has them installed.
 */
import { stridedReplay } from '../ops/view';
import { derivatives } from './derivatives';
import { installDerivatives } from './graph';

installDerivatives(derivatives, stridedReplay);
