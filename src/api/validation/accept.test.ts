import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyDefaults, prepareForCreate } from '../defaults/index.js';
import { fieldErrorString } from '../field.js';
import type { GroupVersionKind, KubeObject } from '../types.js';
import { validateCreate } from './index.js';

// Realistic objects as kubectl, controllers and admission produce them: every one must be accepted
// after defaulting and create preparation (a false rejection is worse than an imprecise message).
const g = (group: string, version: string, kind: string): GroupVersionKind => ({ group, version, kind });
const pod = {metadata:{name:'web-0',namespace:'default',labels:{'app.kubernetes.io/name':'web'},annotations:{'kubectl.kubernetes.io/last-applied-configuration':'{}'},ownerReferences:[{apiVersion:'apps/v1',kind:'StatefulSet',name:'web',uid:'123',controller:true,blockOwnerDeletion:true}]},
 spec:{serviceAccountName:'default',hostname:'web-0',subdomain:'web',priorityClassName:'high',priority:1000,preemptionPolicy:'PreemptLowerPriority',
  initContainers:[{name:'init',image:'busybox',command:['sh','-c','true']},{name:'sidecar',image:'envoy',restartPolicy:'Always',readinessProbe:{tcpSocket:{port:9901}}}],
  containers:[{name:'app',image:'registry.k8s.io/nginx:1.25',command:['nginx'],args:['-g','daemon off;'],workingDir:'/',
   ports:[{name:'http',containerPort:80},{name:'metrics',containerPort:9090,protocol:'TCP'}],
   env:[{name:'A',value:'1'},{name:'POD_NAME',valueFrom:{fieldRef:{fieldPath:'metadata.name'}}},{name:'LIM',valueFrom:{resourceFieldRef:{resource:'limits.memory',divisor:'1Mi'}}},{name:'S',valueFrom:{secretKeyRef:{name:'s',key:'k',optional:true}}},{name:'my.dotted-var',value:'x'}],
   envFrom:[{configMapRef:{name:'cm'}},{prefix:'P_',secretRef:{name:'s'}}],
   resources:{requests:{cpu:'100m',memory:'128Mi','ephemeral-storage':'1Gi'},limits:{cpu:'1',memory:'256Mi','nvidia.com/gpu':'1'}},
   volumeMounts:[{name:'data',mountPath:'/data'},{name:'kube-api-access-abcde',mountPath:'/var/run/secrets/kubernetes.io/serviceaccount',readOnly:true},{name:'cfg',mountPath:'/etc/cfg',subPath:'a.conf'}],
   livenessProbe:{httpGet:{path:'/healthz',port:'http',httpHeaders:[{name:'X-Custom',value:'v'}]},initialDelaySeconds:3},
   readinessProbe:{grpc:{port:9090}},startupProbe:{exec:{command:['true']},failureThreshold:30,periodSeconds:10},
   lifecycle:{preStop:{sleep:{seconds:5}},postStart:{exec:{command:['true']}}},
   securityContext:{runAsUser:1000,runAsNonRoot:true,allowPrivilegeEscalation:false,capabilities:{drop:['ALL']},readOnlyRootFilesystem:true,seccompProfile:{type:'RuntimeDefault'}}}],
  volumes:[{name:'data',persistentVolumeClaim:{claimName:'data-web-0'}},{name:'cfg',configMap:{name:'cfg',items:[{key:'a',path:'a.conf',mode:0o400}]}},
   {name:'kube-api-access-abcde',projected:{defaultMode:420,sources:[{serviceAccountToken:{expirationSeconds:3607,path:'token'}},{configMap:{name:'kube-root-ca.crt',items:[{key:'ca.crt',path:'ca.crt'}]}},{downwardAPI:{items:[{path:'namespace',fieldRef:{apiVersion:'v1',fieldPath:'metadata.namespace'}}]}}]}},
   {name:'tmp',emptyDir:{medium:'Memory',sizeLimit:'64Mi'}},{name:'host',hostPath:{path:'/var/log',type:'Directory'}},{name:'dapi',downwardAPI:{items:[{path:'labels',fieldRef:{fieldPath:"metadata.labels['app.kubernetes.io/name']"}}]}}],
  tolerations:[{key:'node.kubernetes.io/not-ready',operator:'Exists',effect:'NoExecute',tolerationSeconds:300},{operator:'Exists'},{key:'k',operator:'Equal',value:'v',effect:'NoSchedule'}],
  nodeSelector:{'kubernetes.io/os':'linux'},
  affinity:{nodeAffinity:{requiredDuringSchedulingIgnoredDuringExecution:{nodeSelectorTerms:[{matchExpressions:[{key:'kubernetes.io/arch',operator:'In',values:['amd64','arm64']}]},{matchFields:[{key:'metadata.name',operator:'In',values:['n1']}]}]},preferredDuringSchedulingIgnoredDuringExecution:[{weight:50,preference:{matchExpressions:[{key:'zone',operator:'Exists'}]}}]},
   podAntiAffinity:{preferredDuringSchedulingIgnoredDuringExecution:[{weight:100,podAffinityTerm:{labelSelector:{matchLabels:{app:'web'}},topologyKey:'kubernetes.io/hostname'}}]}},
  topologySpreadConstraints:[{maxSkew:1,topologyKey:'topology.kubernetes.io/zone',whenUnsatisfiable:'ScheduleAnyway',labelSelector:{matchLabels:{app:'web'}}}],
  securityContext:{fsGroup:2000,runAsGroup:3000,supplementalGroups:[4000],sysctls:[{name:'net.ipv4.ip_local_port_range',value:'1024 65535'}]},
  dnsPolicy:'None',dnsConfig:{nameservers:['10.43.0.10'],searches:['default.svc.cluster.local','svc.cluster.local'],options:[{name:'ndots',value:'5'}]},
  hostAliases:[{ip:'127.0.0.1',hostnames:['foo.local']}],readinessGates:[{conditionType:'example.com/ready'}],runtimeClassName:'runc',os:{name:'linux'}}};
const objs: [GroupVersionKind, Record<string, unknown>][] = [
 [g('','v1','Pod'),pod],
 [g('apps','v1','StatefulSet'),{metadata:{name:'web',namespace:'default'},spec:{serviceName:'web',replicas:3,selector:{matchLabels:{app:'web'}},template:{metadata:{labels:{app:'web'}},spec:{containers:[{name:'c',image:'nginx',volumeMounts:[{name:'data',mountPath:'/d'}]}]}},volumeClaimTemplates:[{metadata:{name:'data'},spec:{accessModes:['ReadWriteOnce'],storageClassName:'local-path',resources:{requests:{storage:'1Gi'}}}}]}}],
 [g('apps','v1','Deployment'),{metadata:{name:'d',namespace:'default'},spec:{replicas:0,selector:{matchExpressions:[{key:'app',operator:'In',values:['d']}]},strategy:{type:'Recreate'},template:{metadata:{labels:{app:'d'}},spec:{containers:[{name:'c',image:'nginx'}]}}}}],
 [g('','v1','Service'),{metadata:{name:'lb',namespace:'default'},spec:{type:'LoadBalancer',selector:{app:'x'},ports:[{name:'http',port:80,targetPort:'http'},{name:'https',port:443,targetPort:8443,nodePort:30443}],externalTrafficPolicy:'Local',healthCheckNodePort:31000,loadBalancerSourceRanges:['10.0.0.0/8']}}],
 [g('','v1','Service'),{metadata:{name:'ext',namespace:'default'},spec:{type:'ExternalName',externalName:'example.com'}}],
 [g('','v1','Service'),{metadata:{name:'headless',namespace:'default'},spec:{clusterIP:'None',selector:{app:'x'},ports:[{port:80}]}}],
 [g('','v1','Service'),{metadata:{name:'kubernetes',namespace:'default'},spec:{clusterIP:'10.43.0.1',ports:[{name:'https',port:443,targetPort:6443}]}}],
 [g('','v1','Endpoints'),{metadata:{name:'kubernetes',namespace:'default'},subsets:[{addresses:[{ip:'192.168.1.10'}],ports:[{name:'https',port:6443}]}]}],
 [g('discovery.k8s.io','v1','EndpointSlice'),{metadata:{name:'kubernetes',namespace:'default'},addressType:'IPv4',endpoints:[{addresses:['192.168.1.10'],conditions:{ready:true}}],ports:[{name:'https',port:6443,protocol:'TCP'}]}],
 [g('networking.k8s.io','v1','Ingress'),{metadata:{name:'i',namespace:'default'},spec:{ingressClassName:'traefik',tls:[{hosts:['*.example.com'],secretName:'tls'}],rules:[{host:'*.example.com',http:{paths:[{path:'/api',pathType:'Prefix',backend:{service:{name:'api',port:{name:'http'}}}},{pathType:'ImplementationSpecific',backend:{resource:{apiGroup:'k8s.example.com',kind:'StorageBucket',name:'b'}}}]}}]}}],
 [g('networking.k8s.io','v1','IngressClass'),{metadata:{name:'traefik'},spec:{controller:'traefik.io/ingress-controller'}}],
 [g('networking.k8s.io','v1','NetworkPolicy'),{metadata:{name:'np',namespace:'default'},spec:{podSelector:{matchLabels:{app:'x'}},ingress:[{from:[{ipBlock:{cidr:'10.0.0.0/8',except:['10.1.0.0/16']}},{namespaceSelector:{},podSelector:{}}],ports:[{port:80,endPort:90},{port:'http'}]}],egress:[{}]}}],
 [g('rbac.authorization.k8s.io','v1','ClusterRole'),{metadata:{name:'system:controller:foo'},rules:[{apiGroups:[''],resources:['pods'],verbs:['get']},{nonResourceURLs:['/healthz'],verbs:['get']}]}],
 [g('rbac.authorization.k8s.io','v1','ClusterRoleBinding'),{metadata:{name:'system:foo'},roleRef:{apiGroup:'rbac.authorization.k8s.io',kind:'ClusterRole',name:'system:controller:foo'},subjects:[{kind:'ServiceAccount',name:'foo',namespace:'kube-system'},{kind:'Group',name:'system:masters'}]}],
 [g('policy','v1','PodDisruptionBudget'),{metadata:{name:'pdb',namespace:'default'},spec:{minAvailable:'50%',selector:{matchLabels:{app:'x'}}}}],
 [g('scheduling.k8s.io','v1','PriorityClass'),{metadata:{name:'system-node-critical'},value:2000001000}],
 [g('node.k8s.io','v1','RuntimeClass'),{metadata:{name:'runc'},handler:'runc'}],
 [g('coordination.k8s.io','v1','Lease'),{metadata:{name:'node1',namespace:'kube-node-lease'},spec:{holderIdentity:'node1',leaseDurationSeconds:40,renewTime:'2026-01-01T00:00:00.000000Z'}}],
 [g('','v1','Node'),{metadata:{name:'node1',labels:{'kubernetes.io/hostname':'node1'}},spec:{podCIDR:'10.42.0.0/24',podCIDRs:['10.42.0.0/24'],taints:[{key:'node-role.kubernetes.io/control-plane',effect:'NoSchedule'}]},status:{capacity:{cpu:'2',memory:'4Gi',pods:'110'}}}],
 [g('','v1','ResourceQuota'),{metadata:{name:'q',namespace:'default'},spec:{hard:{pods:'10','requests.cpu':'4','count/deployments.apps':'5'}}}],
 [g('','v1','LimitRange'),{metadata:{name:'l',namespace:'default'},spec:{limits:[{type:'Container',default:{cpu:'500m'},defaultRequest:{cpu:'100m'},max:{cpu:'2'}}]}}],
 [g('','v1','PersistentVolume'),{metadata:{name:'pv'},spec:{capacity:{storage:'1Gi'},accessModes:['ReadWriteOnce'],hostPath:{path:'/tmp/pv'},storageClassName:'manual'}}],
 [g('','v1','Secret'),{metadata:{name:'sa-token',namespace:'default',annotations:{'kubernetes.io/service-account.name':'default'}},type:'kubernetes.io/service-account-token'}],
 [g('','v1','Secret'),{metadata:{name:'reg',namespace:'default'},type:'kubernetes.io/dockerconfigjson',data:{'.dockerconfigjson':btoa('{"auths":{}}')}}],
 [g('','v1','Event'),{metadata:{name:'x.1',namespace:'default'},involvedObject:{kind:'Pod',namespace:'default',name:'x'},reason:'Scheduled',message:'ok',type:'Normal',source:{component:'default-scheduler'},count:1}],
 [g('events.k8s.io','v1','Event'),{metadata:{name:'x.2',namespace:'default'},eventTime:'2026-01-01T00:00:00.000000Z',reportingController:'k8ts.io/scheduler',reportingInstance:'sched-1',action:'Binding',reason:'Scheduled',type:'Normal',regarding:{kind:'Pod',namespace:'default',name:'x'},note:'ok'}],
 [g('autoscaling','v1','HorizontalPodAutoscaler'),{apiVersion:'autoscaling/v1',metadata:{name:'h',namespace:'default'},spec:{scaleTargetRef:{apiVersion:'apps/v1',kind:'Deployment',name:'d'},minReplicas:1,maxReplicas:5,targetCPUUtilizationPercentage:50}}],
 [g('autoscaling','v2','HorizontalPodAutoscaler'),{metadata:{name:'h',namespace:'default'},spec:{scaleTargetRef:{apiVersion:'apps/v1',kind:'Deployment',name:'d'},maxReplicas:5,metrics:[{type:'Resource',resource:{name:'memory',target:{type:'AverageValue',averageValue:'100Mi'}}}],behavior:{scaleDown:{policies:[{type:'Pods',value:1,periodSeconds:60}]}}}}],
 [g('batch','v1','Job'),{metadata:{name:'idx',namespace:'default',uid:'u'},spec:{completionMode:'Indexed',completions:3,parallelism:3,backoffLimitPerIndex:1,template:{spec:{restartPolicy:'Never',containers:[{name:'c',image:'busybox'}]}},podFailurePolicy:{rules:[{action:'Ignore',onPodConditions:[{type:'DisruptionTarget'}]}]}}}],
 [g('batch','v1','CronJob'),{metadata:{name:'cj',namespace:'default'},spec:{schedule:'0 3 * * 1-5',timeZone:'Europe/Paris',jobTemplate:{spec:{template:{spec:{restartPolicy:'OnFailure',containers:[{name:'c',image:'busybox'}]}}}}}}],
 [g('apps','v1','ControllerRevision'),{metadata:{name:'web-123',namespace:'default'},data:{spec:{}},revision:1}],
 [g('','v1','ReplicationController'),{metadata:{name:'rc',namespace:'default'},spec:{replicas:1,selector:{app:'rc'},template:{metadata:{labels:{app:'rc'}},spec:{containers:[{name:'c',image:'nginx'}]}}}}],
];

describe('accepts realistic objects', () => {
  for (const [gvk, obj] of objs) {
    it(`${gvk.kind} ${(obj['metadata'] as { name?: string }).name}`, () => {
      const o = structuredClone(obj) as KubeObject;
      applyDefaults(gvk, o);
      o.metadata = { uid: 'u', ...o.metadata };
      prepareForCreate(gvk, o);
      assert.deepEqual(validateCreate(gvk, o).map(fieldErrorString), []);
    });
  }
});
