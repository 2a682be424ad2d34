// Public checks of Italian identifiers, for forms that want to tell a citizen at once that a code is
// mistyped (the server validates again on submission): codice fiscale and IBAN.
import { Type } from '@sinclair/typebox';
import type { App } from '../../core/http.ts';
import { invalid } from '../../core/problem.ts';
import { decodeFiscalCode, validateFiscalCode } from '../../domain/fiscal-code.ts';
import { formatIban, validateIban } from '../../domain/iban.ts';

const Problem = { $ref: 'Problem#' };

export function registerChecks(app: App): void {
  app.get(
    '/api/v1/checks/codice-fiscale/:code',
    {
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['checks'],
        summary: 'Checks a codice fiscale (DM 23/12/1976) and decodes sex, birth date and birthplace',
        params: Type.Object({ code: Type.String({ maxLength: 32 }) }),
        response: {
          200: Type.Object({
            fiscalCode: Type.String(),
            omocodia: Type.Boolean(),
            sex: Type.Union([Type.Literal('M'), Type.Literal('F')]),
            birthDate: Type.String({ format: 'date' }),
            birthplaceCode: Type.String({ description: 'Belfiore code' }),
            birthplace: Type.Union([Type.String(), Type.Null()]),
          }),
          400: Problem,
        },
      },
    },
    async (request) => {
      const checked = validateFiscalCode(request.params.code);
      const decoded = decodeFiscalCode(request.params.code);
      if (!checked.ok) throw invalid([{ pointer: '/params/code', code: checked.reason, detail: checked.message }], 'Not a valid codice fiscale.');
      if (!decoded.ok) throw invalid([{ pointer: '/params/code', code: decoded.reason, detail: decoded.message }], 'Not a valid codice fiscale.');
      const { value } = decoded;
      return {
        fiscalCode: checked.value.fiscalCode,
        omocodia: checked.value.omocodia,
        sex: value.sex,
        birthDate: value.birthDate,
        birthplaceCode: value.birthplaceCode,
        birthplace: value.birthplace?.name ?? null,
      };
    },
  );

  app.get(
    '/api/v1/checks/iban/:iban',
    {
      config: { rateLimit: { max: 120, timeWindow: '1 minute' } },
      schema: {
        tags: ['checks'],
        summary: 'Checks an IBAN (ISO 13616 mod 97; Italian CIN)',
        params: Type.Object({ iban: Type.String({ maxLength: 50 }) }),
        response: {
          200: Type.Object({ iban: Type.String(), formatted: Type.String(), countryCode: Type.String(), sepa: Type.Boolean() }),
          400: Problem,
        },
      },
    },
    async (request) => {
      const checked = validateIban(request.params.iban);
      if (!checked.ok) throw invalid([{ pointer: '/params/iban', code: checked.reason, detail: checked.message }], 'Not a valid IBAN.');
      return { iban: checked.value.iban, formatted: formatIban(checked.value.iban), countryCode: checked.value.countryCode, sepa: checked.value.sepa };
    },
  );
}
