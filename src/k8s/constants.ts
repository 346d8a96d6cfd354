/**
 * @module Wire constants of the Kubernetes side: CRD group/version, finalizers, labels and annotations,
 * with exactly the strings of the Python Kuryr (COMPATIBILITY.md §6). Never change a value.
 */

/** API group of every kuryr CRD. */
export const CRD_GROUP = 'openstack.org';
/** The only served/storage version of the kuryr CRDs. */
export const CRD_VERSION = 'v1';
/** `apiVersion` written into kuryr custom objects. */
export const CRD_API_VERSION = `${CRD_GROUP}/${CRD_VERSION}`;

export const FINALIZER_POD = 'kuryr.openstack.org/pod-finalizer';
export const FINALIZER_KURYRPORT = 'kuryr.openstack.org/kuryrport-finalizer';
export const FINALIZER_KURYRNETWORK = 'kuryrnetwork.finalizers.kuryr.openstack.org';
export const FINALIZER_NETWORKPOLICY = 'kuryr.openstack.org/networkpolicy-finalizer';
export const FINALIZER_SERVICE = 'kuryr.openstack.org/service-finalizer';
export const FINALIZER_KURYRLOADBALANCER = 'kuryr.openstack.org/kuryrloadbalancer-finalizers';

/** KuryrPort label carrying the pod's node (the CNI daemon watches with this selector). */
export const LABEL_KURYRPORT_NODE = 'kuryr.openstack.org/nodeName';
/** Endpoints label: headless services are skipped. */
export const LABEL_HEADLESS_SERVICE = 'service.kubernetes.io/headless';

/** Pod: last applied labels (JSON). */
export const ANNOTATION_POD_LABEL = 'openstack.org/kuryr-pod-label';
/** Pod: last applied IP. */
export const ANNOTATION_POD_IP = 'openstack.org/kuryr-pod-ip';
/** Pod: NPWG additional networks. */
export const ANNOTATION_NPWG_NETWORK = 'k8s.v1.cni.cncf.io/networks';
/** Pod: set on static (mirror) pods. */
export const ANNOTATION_CONFIG_SOURCE = 'kubernetes.io/config.source';
/** Namespace: project id for the annotation project driver. */
export const ANNOTATION_PROJECT = 'openstack.org/kuryr-project';
/** Namespace: any change of its value forces a re-sync. */
export const ANNOTATION_KURYR_TRIGGER = 'KuryrTrigger';
/** NetworkPolicy: bump to force re-evaluation. */
export const ANNOTATION_POLICY_COUNTER = 'openstack.org/kuryr-counter';
/** KuryrNetworkPolicy: link to its NetworkPolicy. */
export const ANNOTATION_NETWORK_POLICY_LINK = 'networkPolicyLink';
/** Service: Octavia client-data timeout. */
export const ANNOTATION_TIMEOUT_CLIENT_DATA = 'openstack.org/kuryr-timeout-client-data';
/** Service: Octavia member-data timeout. */
export const ANNOTATION_TIMEOUT_MEMBER_DATA = 'openstack.org/kuryr-timeout-member-data';
/** NetworkAttachmentDefinition: `{"subnetId": …, "driverType": …}`. */
export const ANNOTATION_NAD_CONFIG = 'openstack.org/kuryr-config';

/** Lease name used for controller leader election (namespace from the pod's own namespace). */
export const LEASE_NAME_CONTROLLER = 'kuryr-controller';
/** Field manager / Event source component. */
export const COMPONENT_CONTROLLER = 'kuryr-controller';
