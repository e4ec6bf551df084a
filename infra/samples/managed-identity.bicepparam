// Example deployment without azd: secretless BC access through a federated credential that trusts
// the app's managed identity, JASCI sign-in with user and password, and a shared webhook secret.
// az deployment sub create --location westeurope --template-file infra/main.bicep --parameters infra/samples/managed-identity.bicepparam
using '../main.bicep'

param environmentName = 'bcjasci-test'
param location = 'westeurope'
param principalId = '00000000-0000-0000-0000-000000000004'
param principalType = 'ServicePrincipal'
param maximumInstanceCount = 2
param pollerAlertWindow = 'PT30M'
param connector = {
  mode: 'extension'
  bcTenantId: '00000000-0000-0000-0000-000000000001'
  bcEnvironment: 'Sandbox'
  bcCompanyId: '00000000-0000-0000-0000-000000000002'
  bcAuthMode: 'managedIdentity'
  bcClientId: '00000000-0000-0000-0000-000000000003'
  bcMaxConcurrentRequests: 5
  bcMaxRequestsPer5Minutes: 6000
  jasciBaseUrl: 'https://jasci-test.example.com/api'
  jasciAuthMode: 'oauth'
  jasciTenantId: 'contoso'
  jasciCompanyId: 'contoso-us'
  jasciUserId: 'bc-connector'
  jasciWebhookAuthMode: 'sharedSecret'
  defaultWarehouseCode: 'MAIN'
  salesOrderPollSchedule: '0 */5 * * * *'
  alertsEnabled: true
  alertMailFrom: 'erp-alerts@contoso.com'
  alertMailTo: 'warehouse-team@contoso.com'
}
