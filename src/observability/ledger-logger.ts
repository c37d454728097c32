import { Injectable } from '@nestjs/common';
import { Logger } from 'nestjs-pino';

/**
 * Nest reports its wiring at start, a line per module, controller and route (about ninety): useful
 * when debugging the wiring, noise in an operator's log. Those lines go out at `debug`.
 */
const WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

@Injectable()
export class LedgerLogger extends Logger {
  override log(message: unknown, ...optionalParams: unknown[]): void {
    // Nest passes the context last.
    if (WIRING_CONTEXTS.has(optionalParams[optionalParams.length - 1] as string)) this.debug(message, ...optionalParams);
    else super.log(message, ...optionalParams);
  }
}
