// Registers cdktf's jest matchers (toHaveResource, toHaveResourceWithProperties, ...) and
// brings their types into scope for every unit test.
import 'cdktf/lib/testing/adapters/jest';
import { Testing } from 'cdktf';

Testing.setupJest();
