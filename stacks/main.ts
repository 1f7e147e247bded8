// The deployable app: one platform stack and one workloads stack per environment.
// `cdktf synth` runs this file (cdktf.json); `cdktf deploy iot-dev iot-dev-workloads` deploys dev.
import { App } from 'cdktf';
import { buildApp } from './app';

const app = new App();
buildApp(app);
app.synth();
