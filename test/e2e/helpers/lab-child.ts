// A separate process that builds a lab and then leaves in the way argv[2] says, so the
// lab test can check cleanup on each exit path: 'exit' (process.exit without destroy),
// 'signal' (wait for SIGINT/SIGTERM), 'crash' (SIGKILL itself: nothing can run, cleanupStale must).
import { Lab } from '../../../host/lab/netns.ts';

const mode = process.argv[2];
const lab = Lab.create({ hosts: 1 });
// A process inside the lab, as a daemon under test would be.
lab.spawn(lab.hosts[0], 'sleep', ['30'], { stdio: 'ignore' });
process.stdout.write(`${lab.prefix}\n`);
if (mode === 'exit') process.exit(0);
if (mode === 'crash') process.kill(process.pid, 'SIGKILL');
// 'signal': stay alive (bounded) until the parent signals us.
setTimeout(() => process.exit(3), 20_000);
