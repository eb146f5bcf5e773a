/** Run after every test file's setup (jest.config.js): what a test opened with `onTestEnd` closes when it ends. */
import { closeTestResources } from './closers';

afterEach(closeTestResources);
