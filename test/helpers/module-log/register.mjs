// `node --import tsx --import ./test/helpers/module-log/register.mjs …`: appends the URL of every
// module the process loads to the file named by BOTGRAPH_MODULE_LOG (tests check what production loads).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
