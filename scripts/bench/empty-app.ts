// The synth benchmark's baseline (scripts/bench-synth.ts): a cdktf app with one stack holding
// only the azurerm provider, started and synthesized the same way as stacks/main.ts (tsx, the
// same provider bindings), so the ratio isolates what the product's constructs cost.
import { App, TerraformStack } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';

const app = new App();
const stack = new TerraformStack(app, 'empty');
new AzurermProvider(stack, 'azurerm', { features: [{}] });
app.synth();
