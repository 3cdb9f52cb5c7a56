/** A direct dockerode exec, as a minimal client does it: the baseline for Docker steps. */
import { PassThrough } from 'node:stream';
import type Docker from 'dockerode';

export async function dockerodeExec(docker: Docker, id: string, argv: string[]): Promise<string> {
  const exec = await docker.getContainer(id).exec({ Cmd: argv, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  let out = '';
  const stdout = new PassThrough(), stderr = new PassThrough();
  stdout.on('data', (c: Buffer) => { out += c.toString(); });
  stderr.resume();
  docker.modem.demuxStream(stream, stdout, stderr);
  await new Promise<void>((resolve) => { stream.once('end', resolve); stream.once('close', resolve); });
  const info = await exec.inspect();
  if (info.ExitCode !== 0 && info.ExitCode !== null) throw new Error(`dockerode exec exit ${info.ExitCode}`);
  return out;
}
