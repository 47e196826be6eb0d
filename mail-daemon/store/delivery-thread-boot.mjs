// A worker thread (the delivery thread, the preparation thread) through tsx,
// when its bundle could not be made (delivery-thread-module.ts). A worker
// thread does not get the --import hooks of its process in Node 20: it
// registers tsx itself, then loads the TypeScript entry it was given.
import { register } from 'tsx/esm/api';
import { workerData } from 'node:worker_threads';

register();
await import(workerData.entry);
