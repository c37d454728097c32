import { ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { encodeReadEventResponse } from './read-event-encoding';
import { uuidBytes } from './uuid';

describe('hand-encoded ReadResp events', () => {
  const event = {
    id: Buffer.from('f0e1d2c3b4a5968778695a4b3c2d1e0f', 'hex'),
    type: 'DebtDrawn',
    isJson: true,
    created: 17641234567890123n,
    data: Buffer.from('{"a":"1"}'),
    metadata: Buffer.from('{"m":true}'),
    stream: 'position-ünïcode',
    revision: 300n,
    position: { commit: 2n ** 40n + 7n, prepare: 2n ** 40n + 9n },
  };

  it('decodes with the generated classes to exactly what was stored', () => {
    const decoded = ReadResp.deserializeBinary(encodeReadEventResponse(event, false)).getEvent()!;
    const record = decoded.getEvent()!;
    expect(Buffer.from(record.getStreamIdentifier()!.getStreamName_asU8()).toString()).toBe(event.stream);
    expect(record.getId()!.getString()).toBe('f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f');
    expect(record.getStreamRevision()).toBe('300');
    expect(record.getCommitPosition()).toBe(event.position.commit.toString());
    expect(record.getPreparePosition()).toBe(event.position.prepare.toString());
    expect(decoded.getCommitPosition()).toBe(event.position.commit.toString());
    expect(Object.fromEntries(record.getMetadataMap().toObject())).toEqual({ type: 'DebtDrawn', 'content-type': 'application/json', created: '17641234567890123' });
    expect(Buffer.from(record.getData_asU8())).toEqual(event.data);
    expect(Buffer.from(record.getCustomMetadata_asU8())).toEqual(event.metadata);
  });

  it('writes structured ids, high bits and all, when the client asks for them', () => {
    const record = ReadResp.deserializeBinary(encodeReadEventResponse(event, true)).getEvent()!.getEvent()!;
    expect(record.getId()!.hasStructured()).toBe(true);
    expect(uuidBytes(record.getId())).toEqual(event.id);
  });
});
