// Example deployment without azd: BC client secret, JASCI API key and signed webhooks.
// az deployment sub create --location westeurope --template-file infra/main.bicep --parameters infra/samples/client-secret.bicepparam
using '../main.bicep'

param environmentName = 'bcjasci-prod'
param location = 'westeurope'
param principalId = ''
param alertEmailAddress = 'erp-operations@contoso.com'
param connector = {
  mode: 'standard'
  bcTenantId: '00000000-0000-0000-0000-000000000001'
  bcEnvironment: 'Production'
  bcCompanyId: '00000000-0000-0000-0000-000000000002'
  bcAuthMode: 'clientSecret'
  bcClientId: '00000000-0000-0000-0000-000000000003'
  bcMaxConcurrentRequests: 5
  bcMaxRequestsPer5Minutes: 6000
  jasciBaseUrl: 'https://jasci.example.com/api'
  jasciAuthMode: 'apiKey'
  jasciTenantId: ''
  jasciCompanyId: ''
  jasciUserId: ''
  jasciWebhookAuthMode: 'signature'
  defaultWarehouseCode: ''
  salesOrderPollSchedule: '0 */2 * * * *'
  alertsEnabled: true
  alertMailFrom: ''
  alertMailTo: ''
}
