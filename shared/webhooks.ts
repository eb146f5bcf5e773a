/** Webhooks: endpoints that receive every published change, their input and output shapes. */
import { z } from 'zod';
import { SLUG_PATTERN } from './identifiers';

export const WEBHOOK_EVENTS = ['entry.published', 'entry.updated', 'entry.deleted', 'briefing.updated'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

const urlField = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => {
    try {
      const url = new URL(value);
      return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && url.username === '' && url.password === '';
    } catch {
      return false;
    }
  }, 'must be an http or https URL without credentials');

const briefingsField = z
  .union([z.literal('all'), z.array(z.string().regex(SLUG_PATTERN, 'must be briefing slugs')).min(1).max(500)])
  .describe('"all", or the slugs of the briefings whose changes are sent');

const eventsField = z.array(z.enum(WEBHOOK_EVENTS)).min(1).describe('Which change types are sent');

const secretField = z.string().min(16, 'must be at least 16 characters').max(200).describe('Signs each delivery; generated when left out');

export const createWebhookSchema = z.strictObject({
  url: urlField,
  secret: secretField.optional(),
  briefings: briefingsField.default('all'),
  events: eventsField.default([...WEBHOOK_EVENTS]),
  enabled: z.boolean().default(true),
});

export const updateWebhookSchema = z.strictObject({
  url: urlField.optional(),
  secret: secretField.optional(),
  briefings: briefingsField.optional(),
  events: eventsField.optional(),
  enabled: z.boolean().optional(),
});

/** An endpoint as the API shows it: never its secret (shown once, when created). */
export const webhookSchema = z.object({
  id: z.string(),
  url: z.string(),
  briefings: z.union([z.literal('all'), z.array(z.string())]),
  events: z.array(z.enum(WEBHOOK_EVENTS)),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export type Webhook = z.infer<typeof webhookSchema>;

/** One line of an endpoint's delivery log, newest first. */
export const webhookDeliverySchema = z.object({
  deliveryId: z.string(),
  slug: z.string(),
  epoch: z.string(),
  seq: z.number().int(),
  type: z.string().describe('The change type, or "history.lost" for a note that the briefing started a new history'),
  outcome: z
    .enum(['delivered', 'retrying', 'failed', 'note'])
    .describe("retrying: the change's first attempt failed and it is being retried; failed: given up on after the retry window"),
  status: z.number().int().nullable().describe("The receiver's HTTP status of the last attempt; null when none came"),
  error: z.string().nullable().describe('What went wrong in the last attempt'),
  attempts: z.number().int(),
  redelivery: z.boolean(),
  at: z.string(),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;
