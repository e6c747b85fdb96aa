import { assessmentCapability } from './assessment/capability.js';
import { authCapability } from './auth/capability.js';
import { directoryCapability } from './directory/capability.js';
import { frameworkCapability } from './framework/capability.js';
import { gapsCapability } from './gaps/capability.js';
import { ingestCapability } from './ingest/capability.js';
import { networkCapability } from './network/capability.js';
import { plansCapability } from './plans/capability.js';
import { practiceCapability } from './practice/capability.js';
import { trackingCapability } from './tracking/capability.js';
import { voicesCapability } from './voices/capability.js';
import type { Capability } from './web/capability.js';

/**
 * Every capability the service runs, in navigation order. A new capability adds itself here and
 * nowhere else in the web layer.
 */
export const capabilities: Capability[] = [authCapability, frameworkCapability, gapsCapability, plansCapability, assessmentCapability, practiceCapability, networkCapability, directoryCapability, voicesCapability, trackingCapability, ingestCapability];
