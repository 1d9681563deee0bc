import { z } from 'zod'

/** Field rules shared by signup and by admins creating users. Emails are compared lower-cased. */
export const email = z.string().trim().toLowerCase().email('must be an email address').max(255)
export const password = z
  .string()
  .min(8, 'must be at least 8 characters')
  .max(200, 'must be at most 200 characters')
export const username = z
  .string()
  .trim()
  .min(2)
  .max(64)
  .regex(/^[A-Za-z0-9_.-]+$/, 'may contain letters, digits, _ . - only')
export const personName = z.string().trim().max(255).nullable()
