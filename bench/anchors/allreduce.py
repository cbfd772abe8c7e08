"""PyTorch's gloo allreduce of a float32 buffer between 2 local processes, for bench/distributed.ts:
each rank joins through tcp:// and times `reps` allreduces after a warm-up; the parent prints rank
0's median milliseconds as JSON. Usage: python allreduce.py PORT ELEMENTS REPS"""
import json
import sys
import time

import torch
import torch.distributed as dist
import torch.multiprocessing as mp


def rank_main(rank, world, port, n, reps, out):
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank, world_size=world)
    t = torch.ones(n)
    for _ in range(3):
        dist.all_reduce(t)
    ms = []
    for _ in range(reps):
        dist.barrier()
        t0 = time.perf_counter()
        dist.all_reduce(t)
        ms.append((time.perf_counter() - t0) * 1e3)
    if rank == 0:
        ms.sort()
        out.put(ms[len(ms) // 2])
    dist.destroy_process_group()


if __name__ == '__main__':
    port, n, reps = (int(a) for a in sys.argv[1:4])
    ctx = mp.get_context('spawn')
    out = ctx.Queue()
    procs = [ctx.Process(target=rank_main, args=(r, 2, port, n, reps, out)) for r in range(2)]
    for p in procs:
        p.start()
    result = out.get()
    for p in procs:
        p.join()
    print(json.dumps({'ms': result}))
