/**
 * tg.distributed: torch.distributed's process groups and collectives over gloo, the collective
 * library PyTorch itself uses on CPU. The collectives run in the distributed addon
 * (native/distributed), built where gloo is installed; it is loaded the first time a group is made.
 * @example
 * // launched with MASTER_ADDR, MASTER_PORT, RANK and WORLD_SIZE set (tensorgrad-run or torchrun)
 * tg.distributed.initProcessGroup({ backend: 'gloo' });
 * const t = tg.ones(3).mul(tg.distributed.getRank());
 * tg.distributed.allReduce(t); // every rank now holds the sum
 */
export { destroyProcessGroup, getBackend, getRank, getWorldSize, initProcessGroup, isAvailable, isInitialized, newGroup, ProcessGroup } from './group';
export type { InitOptions } from './group';
export {
  allGather, allGatherIntoTensor, allReduce, barrier, broadcast, gather, irecv, isend, recv, reduceScatterTensor, ReduceOp, scatter, send, Work,
} from './collectives';
export type { CollectiveOptions } from './collectives';
