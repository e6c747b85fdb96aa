/**
 * Evidence files on the rating page: upload (multipart, the CSRF token first so it is checked
 * before a byte is written), download only by people who may read the assessment, and removal.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { UploadedFile } from '../web/app.js';
import type { RatingPageExtra } from './pages.js';
import type { AssessmentService, Refusal } from './service.js';
import { isRefusal } from './service.js';
import type { Assessment } from './store.js';
import { readAssessmentSummary } from './store.js';

const hidden = { hide: true };
const read = { permission: 'assessments:read' } as const;
const write = { permission: 'assessments:write' } as const;

type ShowRatingPage = (request: FastifyRequest, reply: FastifyReply, service: AssessmentService, assessment: Assessment, statementId: string, extra?: RatingPageExtra) => Promise<unknown>;

function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && 'path' in value && 'filename' in value && 'size' in value;
}

/**
 * `Content-Disposition: attachment` with the name kept safe: an ASCII fallback with quotes,
 * backslashes and control characters replaced, and the full name percent-encoded (RFC 6266, RFC 5987).
 */
export function attachmentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_') || 'evidence';
  const encoded = encodeURIComponent(filename).replace(/['()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** Records a refusal about an assessment that exists (one that does not has no authority to file it under). */
export async function auditRefusal(service: AssessmentService, request: FastifyRequest, id: string, action: string, refusal: Refusal, details: Record<string, unknown>) {
  const summary = await readAssessmentSummary(service.db, id);
  if (summary === undefined) return;
  await service.audit(request.viewer, action, summary, id, request.ip, { ...details, refused: refusal.message }, refusal.statusCode === 403 || refusal.statusCode === 404 ? 'denied' : 'failure');
}

export function registerEvidenceRoutes(app: FastifyInstance, service: AssessmentService, showRatingPage: ShowRatingPage): void {
  app.post<{ Params: { id: string; statementId: string }; Body: Record<string, unknown> }>(
    '/assessments/:id/statements/:statementId/evidence',
    { schema: hidden, config: write },
    async (request, reply) => {
      const { id, statementId } = request.params;
      const file = request.body?.evidence_file;
      const upload = isUploadedFile(file) && !(file.size === 0 && file.filename === 'upload') ? file : undefined;
      const outcome: { id: string } | Refusal =
        upload === undefined
          ? { statusCode: 422, message: 'Choose a file to attach', errors: [{ field: 'evidence_file', text: 'Choose a file to attach' }] }
          : await service.attachEvidence(request.viewer, id, statementId, upload, request.ip);
      if (!isRefusal(outcome)) return reply.redirect(`/assessments/${id}/statements/${encodeURIComponent(statementId)}?attached=${encodeURIComponent(upload!.filename)}#evidence`, 303);
      const assessment = await service.get(request.viewer, id);
      if (isRefusal(assessment)) {
        await auditRefusal(service, request, id, 'assessment-evidence-added', assessment, { statement: statementId });
        return reply.callNotFound();
      }
      if (outcome.statusCode === 403 || outcome.statusCode === 409) await auditRefusal(service, request, id, 'assessment-evidence-added', outcome, { statement: statementId });
      if (!assessment.statements.some((statement) => statement.id === statementId)) return reply.code(outcome.statusCode).view('error.njk', { title: 'The file could not be attached', message: outcome.message });
      return showRatingPage(request, reply.code(outcome.statusCode), service, assessment, statementId, { errors: outcome.errors ?? [{ field: 'evidence_file', text: outcome.message }] });
    },
  );

  app.get<{ Params: { id: string; fileId: string } }>(
    '/assessments/:id/evidence/:fileId',
    {
      schema: hidden,
      config: read,
      // After the service-wide hook that marks every private answer no-store: say private as well.
      onSend: async (_request, reply, payload) => {
        if (reply.statusCode === 200) reply.header('Cache-Control', 'private, no-store');
        return payload;
      },
    },
    async (request, reply) => {
      const { id, fileId } = request.params;
      const file = await service.evidenceDownload(request.viewer, id, fileId, request.ip);
      if (isRefusal(file)) {
        await auditRefusal(service, request, id, 'assessment-evidence-downloaded', file, { file_id: fileId.slice(0, 60) });
        return reply.callNotFound();
      }
      return reply
        .header('Content-Type', file.mediaType)
        .header('Content-Disposition', attachmentDisposition(file.filename))
        .header('X-Content-Type-Options', 'nosniff')
        .header('Cache-Control', 'private, no-store')
        .send(Buffer.from(file.content));
    },
  );

  app.post<{ Params: { id: string; fileId: string } }>('/assessments/:id/evidence/:fileId/remove', { schema: hidden, config: write }, async (request, reply) => {
    const { id, fileId } = request.params;
    const removed = await service.removeEvidence(request.viewer, id, fileId, request.ip);
    if (isRefusal(removed)) {
      await auditRefusal(service, request, id, 'assessment-evidence-removed', removed, { file_id: fileId.slice(0, 60) });
      if (removed.statusCode === 404) return reply.callNotFound();
      return reply.code(removed.statusCode).view('error.njk', { title: 'The file could not be removed', message: removed.message });
    }
    return reply.redirect(`/assessments/${id}/statements/${encodeURIComponent(removed.statementId)}?removed=1#evidence`, 303);
  });
}
