import { z } from 'zod';
import {
  ChannelCapabilitiesSchema,
  EVENT_FORMAT_VERSION,
  InboundEventSchema,
  OutboundMessageSchema,
} from './schema.js';

/** The event format as JSON Schema (draft 2020-12), for integrators in other languages. */
export function eventFormatJsonSchema(): Record<string, unknown> {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `Passerelle event format v${EVENT_FORMAT_VERSION}`,
    $defs: {
      InboundEvent: z.toJSONSchema(InboundEventSchema, { io: 'input' }),
      OutboundMessage: z.toJSONSchema(OutboundMessageSchema, { io: 'input' }),
      ChannelCapabilities: z.toJSONSchema(ChannelCapabilitiesSchema, { io: 'input' }),
    },
  };
}
