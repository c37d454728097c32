/** An EventStoreDB connection string with other credentials (or none): the same node, TLS and options. */
export function withCredentials(connectionString: string, login?: string, password?: string): string {
  const scheme = /^esdb(\+discover)?:/.exec(connectionString)?.[0];
  if (!scheme) throw new Error('an EventStoreDB connection string starts with esdb:// or esdb+discover://');
  const url = new URL('http:' + connectionString.slice(scheme.length));
  url.username = login ? encodeURIComponent(login) : '';
  url.password = login && password ? encodeURIComponent(password) : '';
  return scheme + url.toString().slice('http:'.length).replace(/\/\?/, '?').replace(/\/$/, '');
}
