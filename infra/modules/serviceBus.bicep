// Service Bus Standard namespace with the connector's queues. SAS keys are off: clients use Entra ID.

@description('Name of the Service Bus namespace.')
param name string

@description('Azure region.')
param location string

@description('Tags applied to the namespace.')
param tags object

@description('Queue names: the BC to JASCI queue and the JASCI to BC queue.')
param queueNames string[]

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    tier: 'Standard'
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource queues 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = [
  for queueName in queueNames: {
    parent: namespace
    name: queueName
    properties: {
      // The Functions runtime renews the lock while a handler runs, so 2 minutes only bounds a crash.
      lockDuration: 'PT2M'
      // Retries with backoff are scheduled copies sent by the app; redelivery only covers crashes.
      maxDeliveryCount: 5
      // Message ids are deterministic, so a second copy of the same change is dropped. The window
      // is longer than the whole retry ladder (1 + 5 + 15 minutes). Cannot be changed after creation.
      requiresDuplicateDetection: true
      duplicateDetectionHistoryTimeWindow: 'PT1H'
      deadLetteringOnMessageExpiration: true
      defaultMessageTimeToLive: 'P14D'
      maxSizeInMegabytes: 1024
      requiresSession: false
      enablePartitioning: false
    }
  }
]

output name string = namespace.name
output resourceId string = namespace.id
// serviceBusEndpoint is https://<namespace>.<cloud suffix>:443/, and the trigger wants the host name.
output fullyQualifiedNamespace string = parseUri(namespace.properties.serviceBusEndpoint).host
output queueNames string[] = [for (queueName, i) in queueNames: queues[i].name]
