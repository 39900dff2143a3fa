// The schema oracle lives beside the official schemas in schemas/ (the emulator uses it too).
export { validateArmRequest, validateKubeObject, type ArmDefinition } from '../../schemas/validate.js';
