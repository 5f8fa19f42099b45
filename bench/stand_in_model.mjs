// stand_in_model.mjs — the model a benchmark measures: the package given with --model, or else a stand-in 224 x 224
// classifier generated into `work` by bench/inference_bench_model.py (--arch cnn224, the default, or densenet121).
// Usage: const modelDir = benchModelDir(opt, root, work);
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export function benchModelDir(opt, root, work) {
    const given = opt('--model', '');
    if (given) return given;
    const arch = opt('--arch', 'cnn224');
    const dir = path.join(work, `bench-${arch}`);
    execFileSync('/usr/bin/python3', [path.join(root, 'bench/inference_bench_model.py'), dir, '--arch', arch],
                 { stdio: ['ignore', 'ignore', 'inherit'] });
    return dir;
}
