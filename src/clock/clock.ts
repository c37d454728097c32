/** Ledger time. One injectable source, so every command of a request sees the same instant. */
import { Injectable } from '@nestjs/common';

@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

/** Unix seconds, as the domain counts time. */
export function unixSeconds(at: Date): bigint {
  return BigInt(Math.floor(at.getTime() / 1000));
}
