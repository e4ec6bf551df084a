import {
  ApiDocumentStatus,
  RELEASED_FILTER,
  decodeXmlNameEscapes,
  isPendingApproval,
  isReleased,
  normalizeStatus,
} from '../../../shared/bc/status';

describe('BC API document status', () => {
  test('isReleased is true only for API status Open', () => {
    expect(isReleased('Open')).toBe(true);
    expect(isReleased('Draft')).toBe(false);
    expect(isReleased('In Review')).toBe(false);
    expect(isReleased('In_x0020_Review')).toBe(false);
    expect(isReleased('Released')).toBe(false);
    expect(isReleased(undefined)).toBe(false);
  });

  test('isPendingApproval accepts plain and XML-escaped forms', () => {
    expect(isPendingApproval('In Review')).toBe(true);
    expect(isPendingApproval('In_x0020_Review')).toBe(true);
    expect(isPendingApproval('Open')).toBe(false);
    expect(isPendingApproval(undefined)).toBe(false);
  });

  test('normalizeStatus decodes XML name escapes', () => {
    expect(normalizeStatus('In_x0020_Review')).toBe(ApiDocumentStatus.InReview);
    expect(decodeXmlNameEscapes('Positive_x0020_Adjmt_x002E_')).toBe('Positive Adjmt.');
    expect(normalizeStatus('Draft')).toBe('Draft');
  });

  test('released filter selects API status Open', () => {
    expect(RELEASED_FILTER).toBe("status eq 'Open'");
  });
});
