/**
 * The demo in the browser: a drawing pad (pointer events: mouse, pen and touch alike), the MNIST
 * preprocessing of src/lib/preprocess.ts, and the model's ten probabilities as bars that follow the pen.
 * TensorFlow.js is bundled with the site and the model is served by it, so once the page has loaded the
 * demo needs no network.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { inkFromRgba, SIZE, toMnistInput } from '../lib/preprocess';

/** Stroke width on the 280-pixel pad: about 2 pixels once a digit is scaled into MNIST's 20×20 box. */
const STROKE = 22;

export async function startDemo(root: HTMLElement): Promise<void> {
  const pad = root.querySelector<HTMLCanvasElement>('.digit-canvas')!;
  const preview = root.querySelector<HTMLCanvasElement>('.digit-preview')!;
  const status = root.querySelector<HTMLElement>('.digit-status')!;
  const bars = [...root.querySelectorAll<HTMLElement>('.digit-bars li')];
  const context = pad.getContext('2d', { willReadFrequently: true })!;

  const clear = () => {
    context.fillStyle = 'black';
    context.fillRect(0, 0, pad.width, pad.height);
    preview.getContext('2d')!.clearRect(0, 0, SIZE, SIZE);
    show(undefined);
  };

  const show = (probabilities: Float32Array | undefined) => {
    const best = probabilities ? probabilities.indexOf(Math.max(...probabilities)) : -1;
    bars.forEach((bar, digit) => {
      const p = probabilities?.[digit] ?? 0;
      bar.querySelector<HTMLElement>('.digit-fill')!.style.width = `${(p * 100).toFixed(1)}%`;
      bar.querySelector<HTMLElement>('.digit-prob')!.textContent = probabilities ? `${(p * 100).toFixed(1)}%` : '–';
      bar.classList.toggle('best', digit === best);
    });
    // For tests and screen readers: the current answer, and how many predictions were made so far.
    root.dataset.prediction = best >= 0 ? String(best) : '';
    if (model) status.textContent = best >= 0 ? `It looks like a ${best}.` : 'Draw a digit.';
  };

  let model: LayersModel | undefined;
  clear();
  status.textContent = 'Loading TensorFlow.js and the model…';
  const tf = await import('@tensorflow/tfjs');
  await tf.ready();
  model = await tf.loadLayersModel(root.dataset.modelUrl!);
  // MLP: [null, 784]; LeNet: [null, 28, 28, 1]. Read it from the model rather than assume it.
  const inputShape = model.inputs[0].shape.map((d) => d ?? 1);
  // Lessons may end the network with a softmax layer or train on logits (softmax inside the loss).
  const outputLayer = model.layers[model.layers.length - 1];
  const givesProbabilities = (outputLayer.getConfig() as { activation?: string }).activation === 'softmax';
  status.textContent = `Model loaded (${tf.getBackend()} backend). Draw a digit.`;

  let predictions = 0;
  const predict = () => {
    const image = context.getImageData(0, 0, pad.width, pad.height);
    const input = toMnistInput(inkFromRgba(image.data, pad.width, pad.height), pad.width, pad.height);
    drawPreview(preview, input);
    if (!input) return show(undefined);
    const probabilities = tf.tidy(() => {
      const output = model!.predict(tf.tensor(input, inputShape)) as import('@tensorflow/tfjs').Tensor;
      return (givesProbabilities ? output : tf.softmax(output)).dataSync() as Float32Array;
    });
    show(probabilities);
    root.dataset.predictions = String(++predictions);
  };

  // Drawing: one stroke per pointer, predicting at most once per animation frame while the pen moves.
  let last: { x: number; y: number } | undefined;
  let scheduled = false;
  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    requestAnimationFrame(() => {
      scheduled = false;
      predict();
    });
  };
  const point = (event: PointerEvent) => {
    const rect = pad.getBoundingClientRect();
    return { x: ((event.clientX - rect.left) / rect.width) * pad.width, y: ((event.clientY - rect.top) / rect.height) * pad.height };
  };
  const line = (from: { x: number; y: number }, to: { x: number; y: number }) => {
    context.strokeStyle = 'white';
    context.lineWidth = STROKE;
    context.lineCap = 'round';
    context.lineJoin = 'round';
    context.beginPath();
    context.moveTo(from.x, from.y);
    context.lineTo(to.x, to.y);
    context.stroke();
  };
  pad.addEventListener('pointerdown', (event) => {
    pad.setPointerCapture(event.pointerId);
    last = point(event);
    line(last, last);
    schedule();
  });
  pad.addEventListener('pointermove', (event) => {
    if (!last) return;
    const next = point(event);
    line(last, next);
    last = next;
    schedule();
  });
  const end = () => {
    last = undefined;
    schedule();
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  // Anything else that paints on the pad (the browser tests put MNIST digits on it) asks for a prediction this way.
  pad.addEventListener('digit-drawn', predict);
  root.querySelector('.digit-clear')!.addEventListener('click', clear);
  root.dataset.ready = 'true';
}

/** The 28×28 input, enlarged by CSS, so students see what the model sees. */
function drawPreview(canvas: HTMLCanvasElement, input: Float32Array | undefined): void {
  const context = canvas.getContext('2d')!;
  const image = context.createImageData(SIZE, SIZE);
  for (let i = 0; i < SIZE * SIZE; i++) {
    const v = Math.round((input?.[i] ?? 0) * 255);
    image.data.set([v, v, v, 255], 4 * i);
  }
  context.putImageData(image, 0, 0);
}
