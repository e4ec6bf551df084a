// Types shared by main.bicep and the function app module.

@export()
@description('Connector settings that the deployment passes to the app as app settings.')
type connectorSettings = {
  @description('standard uses BC API v2.0 only; extension also uses the companion BC extension\'s API.')
  mode: 'standard' | 'extension'

  @description('Entra tenant id of the Business Central tenant.')
  @minLength(1)
  bcTenantId: string

  @description('Business Central environment name, e.g. Production.')
  @minLength(1)
  bcEnvironment: string

  @description('Business Central company id (GUID).')
  @minLength(1)
  bcCompanyId: string

  @description('clientSecret reads the secret from Key Vault; managedIdentity uses a federated credential that trusts the app\'s identity.')
  bcAuthMode: 'clientSecret' | 'managedIdentity'

  @description('Client id of the Entra app registration that Business Central knows.')
  @minLength(1)
  bcClientId: string

  @description('Concurrent requests Business Central allows for the app registration, across all instances.')
  @minValue(1)
  bcMaxConcurrentRequests: int

  @description('Requests per 5 minutes Business Central allows for the app registration, across all instances.')
  @minValue(1)
  bcMaxRequestsPer5Minutes: int

  @description('JASCI API base URL.')
  @minLength(1)
  jasciBaseUrl: string

  @description('apiKey sends the API-KEY-X header; oauth signs in with tenant, company, user and password.')
  jasciAuthMode: 'apiKey' | 'oauth'

  @description('JASCI tenant id (oauth only).')
  jasciTenantId: string

  @description('JASCI company id (oauth only).')
  jasciCompanyId: string

  @description('JASCI user id (oauth only).')
  jasciUserId: string

  @description('signature checks X-Jasci-Signature (HMAC-SHA256); sharedSecret checks X-Jasci-Shared-Secret.')
  jasciWebhookAuthMode: 'signature' | 'sharedSecret'

  @description('JASCI warehouse for BC lines with a blank location; empty makes such lines a business error.')
  defaultWarehouseCode: string

  @description('Six-field NCRONTAB schedule of the sales order poll.')
  salesOrderPollSchedule: string

  @description('Whether the app mails failure alerts through Microsoft Graph.')
  alertsEnabled: bool

  @description('Mailbox the alert mails are sent from; empty leaves the app default.')
  alertMailFrom: string

  @description('Recipients of the alert mails; empty leaves the app default.')
  alertMailTo: string
}

@export()
@description('Key Vault secret names that the app settings reference.')
var keyVaultSecretNames = {
  bcClientSecret: 'bc-client-secret'
  jasciApiKey: 'jasci-api-key'
  jasciPassword: 'jasci-password'
  jasciWebhookSigningSecret: 'jasci-webhook-signing-secret'
  jasciWebhookSharedSecret: 'jasci-webhook-shared-secret'
}
