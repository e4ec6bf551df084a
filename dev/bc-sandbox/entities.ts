/**
 * Field templates of the API v2.0 entities the sandbox serves. Each template lists every property
 * with BC's blank value, because BC never sends null: text is '', dates are '0001-01-01' and
 * references are the zero GUID. The keys of a template are the properties that `$select` and
 * `$filter` accept.
 */

export type BcRecord = Record<string, unknown>;

export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';
export const BLANK_DATE = '0001-01-01';
export const BLANK_DATETIME = '0001-01-01T00:00:00Z';

const address = (prefix: string): BcRecord => ({
  [`${prefix}AddressLine1`]: '',
  [`${prefix}AddressLine2`]: '',
  [`${prefix}City`]: '',
  [`${prefix}Country`]: '',
  [`${prefix}State`]: '',
  [`${prefix}PostCode`]: '',
});

const masterAddress = (): BcRecord => ({
  addressLine1: '',
  addressLine2: '',
  city: '',
  state: '',
  country: '',
  postalCode: '',
  phoneNumber: '',
  email: '',
  website: '',
});

export function salesOrderTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    number: '',
    externalDocumentNumber: '',
    orderDate: BLANK_DATE,
    postingDate: BLANK_DATE,
    customerId: ZERO_GUID,
    customerNumber: '',
    customerName: '',
    billToName: '',
    billToCustomerId: ZERO_GUID,
    billToCustomerNumber: '',
    shipToName: '',
    shipToContact: '',
    ...address('sellTo'),
    ...address('billTo'),
    ...address('shipTo'),
    shortcutDimension1Code: '',
    shortcutDimension2Code: '',
    currencyId: ZERO_GUID,
    currencyCode: '',
    pricesIncludeTax: false,
    paymentTermsId: ZERO_GUID,
    shipmentMethodId: ZERO_GUID,
    salesperson: '',
    partialShipping: true,
    requestedDeliveryDate: BLANK_DATE,
    discountAmount: 0,
    discountAppliedBeforeTax: false,
    totalAmountExcludingTax: 0,
    totalTaxAmount: 0,
    totalAmountIncludingTax: 0,
    fullyShipped: false,
    status: 'Draft',
    lastModifiedDateTime: BLANK_DATETIME,
    phoneNumber: '',
    email: '',
  };
}

export function salesOrderLineTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    documentId: ZERO_GUID,
    sequence: 0,
    itemId: ZERO_GUID,
    accountId: ZERO_GUID,
    lineType: 'Item',
    lineObjectNumber: '',
    description: '',
    description2: '',
    unitOfMeasureId: ZERO_GUID,
    unitOfMeasureCode: '',
    quantity: 0,
    unitPrice: 0,
    discountAmount: 0,
    discountPercent: 0,
    discountAppliedBeforeTax: false,
    amountExcludingTax: 0,
    taxCode: '',
    taxPercent: 0,
    totalTaxAmount: 0,
    amountIncludingTax: 0,
    invoiceDiscountAllocation: 0,
    netAmount: 0,
    netTaxAmount: 0,
    netAmountIncludingTax: 0,
    shipmentDate: BLANK_DATE,
    shippedQuantity: 0,
    invoicedQuantity: 0,
    invoiceQuantity: 0,
    shipQuantity: 0,
    itemVariantId: ZERO_GUID,
    locationId: ZERO_GUID,
  };
}

export function salesShipmentTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    number: '',
    externalDocumentNumber: '',
    invoiceDate: BLANK_DATE,
    postingDate: BLANK_DATE,
    dueDate: BLANK_DATE,
    customerPurchaseOrderReference: '',
    customerId: ZERO_GUID,
    customerNumber: '',
    customerName: '',
    billToName: '',
    billToCustomerId: ZERO_GUID,
    billToCustomerNumber: '',
    shipToName: '',
    shipToContact: '',
    ...address('sellTo'),
    ...address('billTo'),
    ...address('shipTo'),
    currencyCode: '',
    orderNumber: '',
    paymentTermsCode: '',
    shipmentMethodCode: '',
    salesperson: '',
    pricesIncludeTax: false,
    lastModifiedDateTime: BLANK_DATETIME,
    phoneNumber: '',
    email: '',
  };
}

export function salesShipmentLineTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    documentId: ZERO_GUID,
    documentNo: '',
    sequence: 0,
    lineType: 'Item',
    lineObjectNumber: '',
    description: '',
    description2: '',
    unitOfMeasureCode: '',
    unitPrice: 0,
    quantity: 0,
    discountPercent: 0,
    taxPercent: 0,
    shipmentDate: BLANK_DATE,
  };
}

export function itemTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    number: '',
    displayName: '',
    displayName2: '',
    type: 'Inventory',
    itemCategoryId: ZERO_GUID,
    itemCategoryCode: '',
    blocked: false,
    gtin: '',
    inventory: 0,
    unitPrice: 0,
    priceIncludesTax: false,
    unitCost: 0,
    taxGroupId: ZERO_GUID,
    taxGroupCode: '',
    baseUnitOfMeasureId: ZERO_GUID,
    baseUnitOfMeasureCode: '',
    generalProductPostingGroupId: ZERO_GUID,
    generalProductPostingGroupCode: '',
    inventoryPostingGroupId: ZERO_GUID,
    inventoryPostingGroupCode: '',
    lastModifiedDateTime: BLANK_DATETIME,
  };
}

export function customerTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    number: '',
    displayName: '',
    type: 'Company',
    ...masterAddress(),
    salespersonCode: '',
    balanceDue: 0,
    creditLimit: 0,
    taxLiable: false,
    taxAreaId: ZERO_GUID,
    taxAreaDisplayName: '',
    taxRegistrationNumber: '',
    currencyId: ZERO_GUID,
    currencyCode: '',
    paymentTermsId: ZERO_GUID,
    shipmentMethodId: ZERO_GUID,
    paymentMethodId: ZERO_GUID,
    blocked: '_x0020_',
    lastModifiedDateTime: BLANK_DATETIME,
  };
}

export function vendorTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    number: '',
    displayName: '',
    ...masterAddress(),
    taxRegistrationNumber: '',
    currencyId: ZERO_GUID,
    currencyCode: '',
    irs1099Code: '',
    paymentTermsId: ZERO_GUID,
    paymentMethodId: ZERO_GUID,
    taxLiable: false,
    blocked: '_x0020_',
    balance: 0,
    lastModifiedDateTime: BLANK_DATETIME,
  };
}

export function locationTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    code: '',
    displayName: '',
    contact: '',
    ...masterAddress(),
    lastModifiedDateTime: BLANK_DATETIME,
  };
}

export function unitOfMeasureTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    code: '',
    displayName: '',
    internationalStandardCode: '',
    symbol: '',
    lastModifiedDateTime: BLANK_DATETIME,
  };
}

export function shipmentMethodTemplate(): BcRecord {
  return { id: ZERO_GUID, code: '', displayName: '', lastModifiedDateTime: BLANK_DATETIME };
}

export function itemVariantTemplate(): BcRecord {
  return {
    id: ZERO_GUID,
    itemId: ZERO_GUID,
    itemNumber: '',
    code: '',
    description: '',
    lastModifiedDateTime: BLANK_DATETIME,
  };
}

/** Returns a copy of `record` without the given properties. */
export function omit(record: BcRecord, keys: readonly string[]): BcRecord {
  return Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key)));
}

/**
 * Copies the known properties of each source, in order, over the template. Unknown properties are
 * dropped so that the stored record has exactly the entity's shape; undefined and null are skipped.
 */
export function fillTemplate(template: BcRecord, ...sources: BcRecord[]): BcRecord {
  const record: BcRecord = { ...template };
  for (const source of sources) {
    for (const key of Object.keys(template)) {
      const value = source[key];
      if (value !== undefined && value !== null) record[key] = value;
    }
  }
  return record;
}
