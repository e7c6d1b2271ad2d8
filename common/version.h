/* version: the release of vnet and vnetclient. */
#ifndef VNET_VERSION_H
#define VNET_VERSION_H
#define VNET_VERSION	"1.0.0"
#endif
