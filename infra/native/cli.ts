/**
 * `./lab <command>`: the native lab's command line. ./lab puts Node 24 and pnpm on PATH and installs
 * the system packages first (infra/native/bootstrap.sh, install-system.sh), then runs this file.
 */
import { parseCommand, UsageError, type Command } from './cli-args.js'
import { createContext, type CommandContext } from './commands/context.js'
import { down } from './commands/down.js'
import { HELP } from './commands/help.js'
import { logs } from './commands/logs.js'
import { status } from './commands/status.js'
import { test } from './commands/test.js'
import { up } from './commands/up.js'
import { hideNegativeTimeoutWarning } from './quiet-warnings.js'

async function dispatch (command: Command, context: CommandContext): Promise<number> {
  switch (command.name) {
    case 'up': return await up(command, context)
    case 'down': return await down(command, context)
    case 'status': return await status(context)
    case 'logs': return await logs(command, context)
    case 'test': return await test(command, context)
    case 'help':
      context.reporter.print(HELP)
      return 0
  }
}

async function main (argv: string[]): Promise<number> {
  let command: Command
  try {
    command = parseCommand(argv)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    process.stderr.write(`lab: ${err.message}\n\n${HELP}\n`)
    return 2
  }
  return await dispatch(command, createContext())
}

hideNegativeTimeoutWarning()
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code },
  (err: unknown) => {
    process.stderr.write(`lab: ${err instanceof Error ? err.message : String(err)}\n`)
    process.exitCode = 1
  }
)
