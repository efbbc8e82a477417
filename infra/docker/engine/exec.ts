import { spawn } from 'node:child_process'

export interface ExecResult {
  code: number | null
  stdout: string
  stderr: string
}

export interface ExecOptions {
  cwd?: string
  env?: Record<string, string | undefined>
  /** Milliseconds; the command is killed after that (code null). */
  timeoutMs?: number
  /** Each line of output as it comes (progress). */
  onLine?: (line: string) => void
  input?: string
}

/** Runs a command without a shell; never throws for a non-zero exit (the caller names the failure). */
export async function exec (command: string, args: string[], options: ExecOptions = {}): Promise<ExecResult> {
  return await new Promise((resolve) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      ...(options.timeoutMs === undefined ? {} : { timeout: options.timeoutMs, killSignal: 'SIGKILL' as const })
    })
    let stdout = ''
    let stderr = ''
    let partial = ''
    const onData = (chunk: Buffer) => {
      if (options.onLine === undefined) return
      const lines = (partial + chunk.toString()).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) options.onLine(line)
    }
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); onData(chunk) })
    child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString(); onData(chunk) })
    if (options.input !== undefined) child.stdin?.end(options.input)
    child.on('error', (err) => { resolve({ code: 127, stdout, stderr: `${stderr}${err.message}` }) })
    child.on('close', (code) => {
      if (partial !== '' && options.onLine !== undefined) options.onLine(partial)
      resolve({ code, stdout, stderr })
    })
  })
}

/** The last lines of a command's output, for an error message that shows why. */
export function tail (result: ExecResult, lines = 15): string {
  return `${result.stdout}\n${result.stderr}`.trim().split('\n').slice(-lines).join('\n')
}
